package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.platform.IdGenerator;
import tech.plumeintel.shuzhi.testsupport.HandClock;

/** Access tokens are remembered once verified; what is refused must stay refused. */
class TokensTest {

  private static final Instant ISSUED = Instant.parse("2026-11-29T08:00:00Z");
  private static final String SECRET =
      "k3J9x-0aQ7pL2mN8vB4cR6tY1wE5uI9oP3sD-unit-tests-64-bytes-long-secret!!";

  private final HandClock clock = new HandClock(ISSUED);
  private final Set<String> revokedFamilies = new HashSet<>();
  private final Set<String> deletedUsers = new HashSet<>();
  private final AtomicInteger standingChecks = new AtomicInteger();
  private final Tokens tokens =
      new Tokens(
          new JwtProperties(
              SECRET, Duration.ofHours(2), Duration.ofDays(7), "shuzhi", Duration.ofSeconds(5)),
          new MockEnvironment(),
          clock,
          new IdGenerator(),
          (user, family) -> {
            standingChecks.incrementAndGet();
            return !deletedUsers.contains(user) && !revokedFamilies.contains(family);
          });

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

  @Test
  void onlyHs256IsAcceptedEvenWhenTheKeyIsLongEnoughForMore() {
    var hs512 =
        Jwts.builder()
            .json(new JacksonJwtJson.Serializer())
            .issuer("shuzhi")
            .subject("user-4")
            .id("t-512")
            .expiration(Date.from(ISSUED.plusSeconds(600)))
            .claim(Tokens.TYPE_CLAIM, Tokens.ACCESS)
            .signWith(Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS512)
            .compact();

    assertThatThrownBy(() -> tokens.userOfAccessToken(hs512)).isInstanceOf(ApiException.class);
  }

  @Test
  void aTokenWhoseReaderIsUnknownIsRefusedAndTheAnswerIsRemembered() {
    deletedUsers.add("made-up-user");
    var forged = tokens.issue("made-up-user").accessToken();

    assertThatThrownBy(() -> tokens.userOfAccessToken(forged)).isInstanceOf(ApiException.class);

    var real = tokens.issue("user-5").accessToken();
    tokens.userOfAccessToken(real);
    var checks = standingChecks.get();
    for (int i = 0; i < 10; i++) {
      tokens.userOfAccessToken(real);
    }
    assertThat(standingChecks.get())
        .as("checked once per interval, not per request")
        .isEqualTo(checks);
  }

  @Test
  void aRevokedFamilyStopsItsAccessTokensWithinTheRecheckInterval() {
    var first = tokens.issue("user-6");
    var renewed = tokens.renew(tokens.refreshToken(first.refreshToken()));
    var other = tokens.issue("user-6");
    assertThat(tokens.userOfAccessToken(renewed.accessToken())).isEqualTo("user-6");
    assertThat(tokens.userOfAccessToken(other.accessToken())).isEqualTo("user-6");

    revokedFamilies.add(tokens.access(first.accessToken()).family());
    clock.advance(Duration.ofSeconds(5));

    assertThatThrownBy(() -> tokens.userOfAccessToken(renewed.accessToken()))
        .isInstanceOf(ApiException.class);
    assertThat(tokens.refreshToken(renewed.refreshToken()).family())
        .isEqualTo(tokens.refreshToken(first.refreshToken()).family());
    assertThat(tokens.userOfAccessToken(other.accessToken()))
        .as("another login is another family")
        .isEqualTo("user-6");
  }
}
