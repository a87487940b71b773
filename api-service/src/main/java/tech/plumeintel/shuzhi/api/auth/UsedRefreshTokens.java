package tech.plumeintel.shuzhi.api.auth;

import java.time.Clock;
import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Refresh-token rotation: each refresh token works once. Its id is marked used in Redis, shared by
 * every API instance, for as long as the token would still be valid.
 */
@Component
class UsedRefreshTokens {

  private final StringRedisTemplate redis;
  private final Clock clock;

  UsedRefreshTokens(StringRedisTemplate redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /**
   * @return true the first time this token is presented, false ever after
   */
  boolean markUsed(Tokens.RefreshToken token) {
    var remaining = Duration.between(clock.instant(), token.expiresAt()).plusSeconds(60);
    return Boolean.TRUE.equals(
        redis.opsForValue().setIfAbsent("auth:refresh-used:" + token.tokenId(), "1", remaining));
  }
}
