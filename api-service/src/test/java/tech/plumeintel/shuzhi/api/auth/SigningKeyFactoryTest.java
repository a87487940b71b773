package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class SigningKeyFactoryTest {

  private static JwtProperties secret(String secret) {
    return new JwtProperties(secret, Duration.ofHours(2), Duration.ofDays(7), "shuzhi");
  }

  @Test
  void outsideTheLocalProfileAMissingShortOrTrivialSecretStopsTheService() {
    var production = new MockEnvironment();
    for (var weak : new String[] {null, "", "short-secret", "a".repeat(40)}) {
      assertThatThrownBy(() -> SigningKeyFactory.signingKey(secret(weak), production))
          .as(String.valueOf(weak))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("SHUZHI_JWT_SECRET");
    }
  }

  @Test
  void aLongRandomSecretIsUsed() {
    var key =
        SigningKeyFactory.signingKey(
            secret("k3J9x-0aQ7pL2mN8vB4cR6tY1wE5uI9oP3sD"), new MockEnvironment());

    assertThat(key.getAlgorithm()).startsWith("Hmac");
  }

  @Test
  void theLocalProfileWithoutASecretGetsARandomKey() {
    var local = new MockEnvironment();
    local.setActiveProfiles("local");

    var first = SigningKeyFactory.signingKey(secret(null), local);
    var second = SigningKeyFactory.signingKey(secret(null), local);

    assertThat(first.getEncoded()).isNotEqualTo(second.getEncoded());
  }
}
