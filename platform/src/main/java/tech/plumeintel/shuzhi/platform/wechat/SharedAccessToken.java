package tech.plumeintel.shuzhi.platform.wechat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * WeChat's server access token, one for every instance of every service. Asking WeChat for a token
 * competes with the others' (a forced refresh invalidates theirs; the daily quota is small), so the
 * token lives in Redis with its expiry and only the instance holding the refresh lock asks WeChat,
 * when the token is within {@link WechatServerProperties#refreshAhead()} of its expiry or missing.
 * The others go on with the old token (still valid) or wait for the new one to appear in Redis.
 *
 * <p>When WeChat rejects a token ({@code 40001}/{@code 42001}) the caller asks for {@link
 * #replace(String)}: under the same lock, a forced refresh happens only if Redis still holds the
 * rejected token, so many instances rejected at once cost one forced refresh.
 *
 * <p>Each instance keeps the token in memory until its refresh point, so a check costs no Redis
 * round trip. The token is never logged.
 */
public final class SharedAccessToken {

  private static final Logger log = LoggerFactory.getLogger(SharedAccessToken.class);
  private static final Duration LOCK_LEASE = Duration.ofSeconds(15);
  private static final RedisScript<Long> RELEASE =
      RedisScript.of(
          "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
              + " return 0",
          Long.class);

  private final WechatServerApi wechat;
  private final StringRedisTemplate redis;
  private final WechatServerProperties properties;
  private final Clock clock;
  private final String key;
  private final String lockKey;
  private volatile @Nullable Held held;

  public SharedAccessToken(
      WechatServerApi wechat,
      StringRedisTemplate redis,
      WechatServerProperties properties,
      Clock clock) {
    this.wechat = wechat;
    this.redis = redis;
    this.properties = properties;
    this.clock = clock;
    this.key = "wechat:access-token:" + properties.appId();
    this.lockKey = key + ":refresh";
  }

  /** A token and when it expires. */
  private record Held(String token, Instant expiresAt) {

    static @Nullable Held parse(@Nullable String stored) {
      if (stored == null) {
        return null;
      }
      int space = stored.indexOf(' ');
      if (space <= 0) {
        return null;
      }
      try {
        return new Held(
            stored.substring(space + 1),
            Instant.ofEpochMilli(Long.parseLong(stored, 0, space, 10)));
      } catch (NumberFormatException e) {
        return null;
      }
    }

    String encode() {
      return expiresAt.toEpochMilli() + " " + token;
    }

    @Override
    public String toString() {
      return "Held[expiresAt=" + expiresAt + "]";
    }
  }

  /**
   * A token valid now.
   *
   * @throws WechatCallException when none could be had in time
   */
  public String current() {
    var now = clock.instant();
    var known = held;
    if (fresh(known, now)) {
      return known.token();
    }
    var stored = Held.parse(redis.opsForValue().get(key));
    if (fresh(stored, now)) {
      held = stored;
      return stored.token();
    }
    return refresh(null);
  }

  /**
   * WeChat rejected this token: a new one, by one forced refresh across all instances.
   *
   * @throws WechatCallException when none could be had in time
   */
  public String replace(String rejected) {
    var known = held;
    if (known != null && known.token().equals(rejected)) {
      held = null;
    }
    return refresh(rejected);
  }

  private String refresh(@Nullable String rejected) {
    var deadline = clock.instant().plus(properties.refreshWait());
    var owner = UUID.randomUUID().toString();
    while (true) {
      if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lockKey, owner, LOCK_LEASE))) {
        try {
          var stored = Held.parse(redis.opsForValue().get(key));
          if (usable(stored, rejected, clock.instant())) {
            held = stored;
            return stored.token();
          }
          return fetch(rejected != null);
        } finally {
          redis.execute(RELEASE, List.of(lockKey), owner);
        }
      }
      var stored = Held.parse(redis.opsForValue().get(key));
      var now = clock.instant();
      if (usable(stored, rejected, now)) {
        held = stored;
        return stored.token();
      }
      if (rejected == null && stored != null && now.isBefore(stored.expiresAt())) {
        // Another instance is renewing it; the old one is good until it expires.
        return stored.token();
      }
      if (!now.isBefore(deadline)) {
        throw new WechatCallException(
            "timeout", 0, "no access token: another instance's refresh did not finish in time");
      }
      LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
    }
  }

  /** Fresh, and (when a token was rejected) not the rejected one. */
  private boolean usable(@Nullable Held stored, @Nullable String rejected, Instant now) {
    if (rejected == null) {
      return fresh(stored, now);
    }
    return stored != null && !stored.token().equals(rejected) && now.isBefore(stored.expiresAt());
  }

  private String fetch(boolean force) {
    var issued = wechat.stableToken(force);
    var fetched = new Held(issued.token(), clock.instant().plus(issued.expiresIn()));
    // Redis forgets it when WeChat does; expiry is judged on the stored instant, by our clock.
    redis.opsForValue().set(key, fetched.encode(), issued.expiresIn());
    held = fetched;
    log.info(
        "WeChat access token {}: valid for {} s",
        force ? "replaced" : "renewed",
        issued.expiresIn().toSeconds());
    return fetched.token();
  }

  private boolean fresh(@Nullable Held candidate, Instant now) {
    return candidate != null
        && now.isBefore(candidate.expiresAt().minus(properties.refreshAhead()));
  }

  @Override
  public String toString() {
    return "SharedAccessToken[" + Objects.requireNonNullElse(properties.appId(), "") + "]";
  }
}
