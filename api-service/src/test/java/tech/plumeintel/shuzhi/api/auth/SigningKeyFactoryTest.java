package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class SigningKeyFactoryTest {

  private static JwtProperties secret(String secret) {
    return new JwtProperties(
        secret, Duration.ofHours(2), Duration.ofDays(7), "shuzhi", Duration.ofSeconds(5));
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
  void outsideTheLocalProfileADevelopmentSecretFromThisRepositoryStopsTheService() {
    for (var published : SigningKeyFactory.PUBLISHED_SECRETS) {
      assertThatThrownBy(
              () -> SigningKeyFactory.signingKey(secret(published), new MockEnvironment()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("SHUZHI_JWT_SECRET")
          .hasMessageContaining("openssl rand -base64 48");
    }
    assertThat(SigningKeyFactory.PUBLISHED_SECRETS)
        .contains("compose-dev-only-jwt-secret-change-me-0123456789");
  }

  @Test
  void theLocalProfileAcceptsTheDevelopmentSecret() {
    var local = new MockEnvironment();
    local.setActiveProfiles("local");

    var key =
        SigningKeyFactory.signingKey(
            secret("compose-dev-only-jwt-secret-change-me-0123456789"), local);

    assertThat(key.getEncoded())
        .isEqualTo(
            "compose-dev-only-jwt-secret-change-me-0123456789"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
