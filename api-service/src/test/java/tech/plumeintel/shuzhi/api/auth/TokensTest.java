package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.platform.IdGenerator;
import tech.plumeintel.shuzhi.testsupport.HandClock;

/** Access tokens are remembered once verified; what is refused must stay refused. */
class TokensTest {

  private static final Instant ISSUED = Instant.parse("2026-11-29T08:00:00Z");

  private final HandClock clock = new HandClock(ISSUED);
  private final Tokens tokens =
      new Tokens(
          new JwtProperties(
              "k3J9x-0aQ7pL2mN8vB4cR6tY1wE5uI9oP3sD-unit-tests",
              Duration.ofHours(2),
              Duration.ofDays(7),
              "shuzhi"),
          new MockEnvironment(),
          clock,
          new IdGenerator());

  @Test
  void aVerifiedAccessTokenIsRefusedOnceItHasExpired() {
    var token = tokens.issue("user-1").accessToken();
    assertThat(tokens.userOfAccessToken(token)).isEqualTo("user-1");
    clock.advance(Duration.ofMinutes(119));
    assertThat(tokens.userOfAccessToken(token)).isEqualTo("user-1");

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));

    assertThatThrownBy(() -> tokens.userOfAccessToken(token)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> tokens.userOfAccessToken(token)).isInstanceOf(ApiException.class);
  }

  @Test
  void aTamperedCopyOfAVerifiedTokenIsStillRefused() {
    var token = tokens.issue("user-2").accessToken();
    assertThat(tokens.userOfAccessToken(token)).isEqualTo("user-2");

    var last = token.charAt(token.length() - 2);
    var tampered =
        token.substring(0, token.length() - 2)
            + (last == 'A' ? 'B' : 'A')
            + token.charAt(token.length() - 1);

    assertThatThrownBy(() -> tokens.userOfAccessToken(tampered)).isInstanceOf(ApiException.class);
    assertThat(tokens.userOfAccessToken(token)).isEqualTo("user-2");
  }

  @Test
  void aRefreshTokenNeverPassesAsAnAccessToken() {
    var pair = tokens.issue("user-3");
    assertThat(tokens.userOfAccessToken(pair.accessToken())).isEqualTo("user-3");

    assertThatThrownBy(() -> tokens.userOfAccessToken(pair.refreshToken()))
        .isInstanceOf(ApiException.class);
    assertThat(tokens.refreshToken(pair.refreshToken()).userId()).isEqualTo("user-3");
  }
}
