package tech.plumeintel.shuzhi.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;

/**
 * Refresh-token rotation with reuse detection, in Redis (shared by every API instance). Each
 * refresh token works once. A refresh token presented a second time means two parties hold it — the
 * reader and a thief, and we cannot tell which came first — so the whole family is revoked: the
 * refresh tokens and the access tokens of that login, the thief's current ones included. Logout
 * revokes the caller's family the same way.
 *
 * <p>A revocation is stored and published in one step ({@link RevocationFeed}); a family Redis has
 * found unrevoked is not asked about again while this instance's feed has listened since, so the
 * standing recheck of a known reader costs no round trip.
 */
@Component
class TokenFamilies {

  private static final Logger log = LoggerFactory.getLogger(TokenFamilies.class);
  private static final RedisScript<Long> REVOKE =
      RedisScript.of(
          "redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) "
              + "return redis.call('PUBLISH', ARGV[2], ARGV[3])",
          Long.class);

  private final StringRedisTemplate redis;
  private final Clock clock;
  private final Duration revocationKept;
  private final ThrottledWarning outage;
  private final RevocationFeed feed;

  /** Families Redis found unrevoked, with when it was asked (just before the question left). */
  private final Cache<String, Instant> unrevoked;

  TokenFamilies(
      StringRedisTemplate redis, Clock clock, JwtProperties properties, RevocationFeed feed) {
    this.redis = redis;
    this.clock = clock;
    this.feed = feed;
    // No token of a revoked family is issued any more; the newest one lives at most this long.
    this.revocationKept = properties.revocationKept();
    this.outage = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
    this.unrevoked =
        Caffeine.newBuilder()
            .expireAfterAccess(properties.accessTtl())
            .maximumSize(100_000)
            .build();
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
    feed.revokedHere(family);
    unrevoked.invalidate(family);
    // Stored and published at once: a revocation stored but not published would go unseen by the
    // instances that trust their feed.
    redis.execute(
        REVOKE,
        List.of(revokedKey(family)),
        Long.toString(revocationKept.toMillis()),
        RevocationFeed.CHANNEL,
        family);
  }

  /**
   * Fails open when Redis cannot answer: a book lookup works without Redis, and a revocation is
   * then applied at the first check after Redis is back.
   */
  boolean isRevoked(String family) {
    if (feed.knows(family)) {
      return true;
    }
    var listening = feed.listeningSince();
    var confirmed = unrevoked.getIfPresent(family);
    if (listening != null && confirmed != null && !confirmed.isBefore(listening)) {
      return false;
    }
    var asked = clock.instant();
    try {
      boolean revoked = Boolean.TRUE.equals(redis.hasKey(revokedKey(family)));
      if (!revoked) {
        unrevoked.put(family, asked);
      }
      return revoked;
    } catch (RuntimeException e) {
      outage.warn("Token revocations not checked: {}", e.getClass().getSimpleName());
      return false;
    }
  }

  private static String revokedKey(String family) {
    return "auth:family-revoked:" + family;
  }
}
