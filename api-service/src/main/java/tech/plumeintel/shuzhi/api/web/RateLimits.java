package tech.plumeintel.shuzhi.api.web;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * Per-minute request limits in Redis (Bucket4j), so that every API instance counts against the same
 * buckets: the 61st chat of a minute is refused whichever instance it reaches.
 */
@Component
public class RateLimits {

  /** What is limited; each has its own buckets and its own rate. */
  public enum Limit {
    CHAT_USER, CHAT_ADDRESS, LOGIN_ADDRESS, LOOKUP_USER
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RateLimits.class);

  private final StatefulRedisConnection<String, byte[]> connection;
  private final ProxyManager<String> buckets;
  private final LimitsProperties properties;
  private final MeterRegistry meters;

  RateLimits(RedisClient redis, LimitsProperties properties, MeterRegistry meters) {
    this.connection = redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    this.buckets = Bucket4jLettuce.casBasedBuilder(connection)
        .expirationAfterWrite(ExpirationAfterWriteStrategy
            .basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(1)))
        .build();
    this.properties = properties;
    this.meters = meters;
  }

  /**
   * Takes one request from the bucket of {@code who} under {@code limit}.
   *
   * @throws ApiException {@code RATE_LIMIT} with the wait before the next request would pass
   */
  public void take(Limit limit, String who) {
    var perMinute = perMinute(limit);
    var bucket = buckets.getProxy("limit:" + limit.name().toLowerCase() + ":" + who,
        () -> BucketConfiguration.builder()
            .addLimit(l -> l.capacity(perMinute).refillIntervally(perMinute, Duration.ofMinutes(1)))
            .build());
    io.github.bucket4j.ConsumptionProbe probe;
    try {
      probe = bucket.tryConsumeAndReturnRemaining(1);
    } catch (RuntimeException e) {
      // Redis is down: limits fail open, so that what works without Redis (cached books) still does.
      log.warn("Rate limit {} not checked: {}", limit, e.toString());
      return;
    }
    if (!probe.isConsumed()) {
      meters.counter("shuzhi.ratelimit.rejections", "limit", limit.name().toLowerCase()).increment();
      throw ApiException.rateLimited("请求太频繁，请稍后再试",
          Duration.ofNanos(probe.getNanosToWaitForRefill()).plusSeconds(1));
    }
  }

  private int perMinute(Limit limit) {
    return switch (limit) {
      case CHAT_USER -> properties.chatPerMinute();
      case CHAT_ADDRESS -> properties.chatPerMinutePerAddress();
      case LOGIN_ADDRESS -> properties.loginPerMinute();
      case LOOKUP_USER -> properties.lookupsPerMinute();
    };
  }

  @PreDestroy
  void close() {
    connection.close();
  }
}
