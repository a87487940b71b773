package tech.plumeintel.shuzhi.fetch.source;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * One request-rate limit per upstream host, kept in Redis so that all workers together stay within
 * it: scaling the workers must not multiply what Douban or Open Library see from us.
 *
 * <p>A bucket holds one token and refills it after {@code 1 / rate} seconds, so requests are spaced
 * evenly and no one-second window ever holds more than the rate (a bucket of {@code rate} tokens
 * would allow twice the rate across a window boundary).
 */
@Component
public class HostRateLimits implements DisposableBean {

  private static final String KEY_PREFIX = "book:rate:";

  private final LettuceConnectionFactory redis;
  private final HttpProperties properties;
  private final Clock clock;
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile ProxyManager<String> buckets;

  HostRateLimits(LettuceConnectionFactory redis, HttpProperties properties, Clock clock) {
    this.redis = redis;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * Waits until a request to the host of {@code uri} keeps within its rate.
   *
   * @param requestsPerSecond the host's rate, used when its bucket is first made
   * @throws UpstreamException when the wait would last past the deadline or the configured maximum
   */
  public void acquire(URI uri, double requestsPerSecond, Instant deadline) {
    var host = uri.getAuthority();
    var wait = Duration.between(clock.instant(), deadline);
    if (wait.compareTo(properties.maxRateWait()) > 0) {
      wait = properties.maxRateWait();
    }
    if (wait.isNegative() || wait.isZero()) {
      throw new UpstreamException("deadline passed before asking " + host);
    }
    var bucket = buckets().getProxy(KEY_PREFIX + host, () -> configuration(requestsPerSecond));
    try {
      if (!bucket.asBlocking().tryConsume(1, wait)) {
        throw new UpstreamException("rate limit of " + host + " leaves no room in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException("interrupted while waiting to ask " + host, e);
    }
  }

  private static BucketConfiguration configuration(double requestsPerSecond) {
    var interval = Duration.ofNanos(Math.round(1_000_000_000d / requestsPerSecond));
    return BucketConfiguration.builder()
        .addLimit(limit -> limit.capacity(1).refillGreedy(1, interval))
        .build();
  }

  // The connection factory starts its client only when the context starts, after this bean exists.
  private ProxyManager<String> buckets() {
    var current = buckets;
    if (current == null) {
      synchronized (this) {
        current = buckets;
        if (current == null) {
          if (!(redis.getRequiredNativeClient() instanceof RedisClient client)) {
            throw new IllegalStateException("host rate limits need a standalone Redis");
          }
          connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
          current = Bucket4jLettuce.casBasedBuilder(connection)
              .expirationAfterWrite(ExpirationAfterWriteStrategy
                  .basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
              .build();
          buckets = current;
        }
      }
    }
    return current;
  }

  @Override
  public void destroy() {
    var current = connection;
    if (current != null) {
      current.close();
    }
  }
}
