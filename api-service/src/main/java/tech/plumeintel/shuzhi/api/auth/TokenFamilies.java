package tech.plumeintel.shuzhi.api.auth;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;

/**
 * Refresh-token rotation with reuse detection, in Redis (shared by every API instance). Each
 * refresh token works once. A refresh token presented a second time means two parties hold it — the
 * reader and a thief, and we cannot tell which came first — so the whole family is revoked: the
 * refresh tokens and the access tokens of that login, the thief's current ones included. Logout
 * revokes the caller's family the same way.
 */
@Component
class TokenFamilies {

  private static final Logger log = LoggerFactory.getLogger(TokenFamilies.class);

  private final StringRedisTemplate redis;
  private final Clock clock;
  private final Duration revocationKept;
  private final ThrottledWarning outage;

  TokenFamilies(StringRedisTemplate redis, Clock clock, JwtProperties properties) {
    this.redis = redis;
    this.clock = clock;
    // No token of a revoked family is issued any more; the newest one lives at most this long.
    this.revocationKept = properties.refreshTtl().plus(properties.accessTtl()).plusMinutes(1);
    this.outage = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
  }

  /**
   * Marks a refresh token used.
   *
   * @return true the first time it is presented; false ever after, and then its family is revoked
   */
  boolean rotate(Tokens.RefreshToken token) {
    var remaining = Duration.between(clock.instant(), token.expiresAt()).plusSeconds(60);
    var first =
        Boolean.TRUE.equals(
            redis
                .opsForValue()
                .setIfAbsent("auth:refresh-used:" + token.tokenId(), "1", remaining));
    if (!first) {
      revoke(token.family());
      log.warn("A used refresh token was presented again: its token family is revoked");
    }
    return first;
  }

  void revoke(String family) {
    redis.opsForValue().set(revokedKey(family), "1", revocationKept);
  }

  /**
   * Fails open when Redis cannot answer: a book lookup works without Redis, and a revocation is
   * then applied at the first check after Redis is back.
   */
  boolean isRevoked(String family) {
    try {
      return Boolean.TRUE.equals(redis.hasKey(revokedKey(family)));
    } catch (RuntimeException e) {
      outage.warn("Token revocations not checked: {}", e.getClass().getSimpleName());
      return false;
    }
  }

  private static String revokedKey(String family) {
    return "auth:family-revoked:" + family;
  }
}
