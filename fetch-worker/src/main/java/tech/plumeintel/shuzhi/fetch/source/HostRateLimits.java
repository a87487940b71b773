package tech.plumeintel.shuzhi.fetch.source;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * One request-rate limit per upstream host, kept in Redis so that all workers together stay within
 * it: scaling the workers must not multiply what Douban or Open Library see from us.
 *
 * <p>Requests to a host are spaced evenly, {@code 1 / rate} seconds apart, so no one-second window
 * ever holds more than the rate (a bucket of {@code rate} tokens would allow twice the rate across
 * a window boundary). The host's key holds the earliest time its next request may leave; one script
 * takes that slot and moves it on, so a permit costs one round trip, on every lookup's critical
 * path, and the time is Redis's own, the same for every worker whatever their clocks say.
 */
@Component
public class HostRateLimits {

  private static final String KEY_PREFIX = "book:rate:next:";

  // KEYS[1] the host's next free slot (µs since the epoch, Redis's clock); ARGV[1] the spacing and
  // ARGV[2] the longest acceptable wait, both in µs. Answers the wait in µs, or -1 when it would be
  // longer than acceptable (then nothing is taken). The key outlives its slot by a second only.
  private static final RedisScript<Long> TAKE_SLOT =
      RedisScript.of(
          """
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
      local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
      if slot < now then slot = now end
      local wait = slot - now
      if wait > tonumber(ARGV[2]) then return -1 end
      local spacing = tonumber(ARGV[1])
      redis.call('SET', KEYS[1], string.format('%.0f', slot + spacing),
          'PX', math.ceil((wait + spacing) / 1000) + 1000)
      return wait
      """,
          Long.class);

  private final StringRedisTemplate redis;
  private final HttpProperties properties;
  private final Clock clock;

  HostRateLimits(StringRedisTemplate redis, HttpProperties properties, Clock clock) {
    this.redis = redis;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * Waits until a request to the host of {@code uri} keeps within its rate.
   *
   * @param requestsPerSecond the host's rate
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
    long spacingMicros = Math.max(1, Math.round(1_000_000d / requestsPerSecond));
    Long granted =
        redis.execute(
            TAKE_SLOT,
            List.of(KEY_PREFIX + host),
            Long.toString(spacingMicros),
            Long.toString(wait.toNanos() / 1_000));
    if (granted == null || granted < 0) {
      throw new UpstreamException("rate limit of " + host + " leaves no room in time");
    }
    if (granted > 0) {
      try {
        Thread.sleep(Duration.ofNanos(granted * 1_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UpstreamException("interrupted while waiting to ask " + host, e);
      }
    }
  }
}
