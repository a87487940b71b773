package tech.plumeintel.shuzhi.api.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.Base16;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.platform.PlatformAutoConfiguration;

/**
 * Per-minute request limits in Redis (Bucket4j), so that every API instance counts against the same
 * buckets: the 61st chat of a minute is refused whichever instance it reaches.
 *
 * <p>Chats and logins ask Redis on every request. Lookups are many and cheap, so a Redis round trip
 * each would cost more than the lookup: an instance lets up to a slack of lookups of a reader
 * ({@link LimitsProperties#lookupSlackPercent()} of the limit; 12 of the default 120) through on
 * its own last view of that reader's bucket, then hands the count to Redis with the next one it
 * checks there (at the latest {@link #LOOKUP_SYNC_INTERVAL} after the last check). What that costs
 * in precision: one instance alone is exact (its view is the bucket); with N instances a burst can
 * get at most (N−1)·slack lookups past the limit, because each instance may spend tokens that
 * another one has spent without telling yet. Those are then charged to the shared bucket, which
 * goes into debt, so over the minutes the rate still holds.
 */
@Component
public class RateLimits implements SmartLifecycle {

  /** What is limited; each has its own buckets and its own rate. */
  public enum Limit {
    CHAT_USER,
    CHAT_ADDRESS,
    LOGIN_ADDRESS,
    LOOKUP_USER
  }

  /**
   * How stale an instance's view of a reader's lookup bucket may get before it asks Redis. The
   * overshoot is bounded by the slack whatever this is; shorter only costs round trips (a reader
   * looks up a few books a minute, so with a second nearly every lookup would go to Redis).
   */
  static final Duration LOOKUP_SYNC_INTERVAL = Duration.ofSeconds(30);

  /**
   * A reader's lookup bucket is forgotten here after this long without lookups. The buckets refill
   * whole every minute, so by then the up to {@code slack} lookups not yet told to Redis no longer
   * matter; only an eviction for size (more than {@link #MAX_LOCAL_BUCKETS} readers at once) can
   * drop them early.
   */
  private static final Duration LOCAL_BUCKET_IDLE = Duration.ofMinutes(2);

  private static final int MAX_LOCAL_BUCKETS = 100_000;

  private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

  private static final String TAKE_BOTH = script("take-both.lua");
  private static final String TAKE_BOTH_DIGEST =
      Base16.digest(TAKE_BOTH.getBytes(StandardCharsets.UTF_8));

  private final RedisClient redis;
  private volatile Store store;
  private volatile boolean running = true;
  private final LimitsProperties properties;
  private final MeterRegistry meters;

  /** Redis down: every request would log the same line, thousands a second under load. */
  private final ThrottledWarning redisDown;

  /**
   * The readers' lookup-bucket proxies, which hold this instance's unsynchronised view; they must
   * be kept to be of use. Only lookups have a slack, so a reader is key enough.
   */
  private final Cache<String, Bucket> lookupBuckets;

  RateLimits(RedisClient redis, LimitsProperties properties, MeterRegistry meters, Clock clock) {
    this.redis = redis;
    this.store = Store.open(redis);
    this.properties = properties;
    this.meters = meters;
    this.redisDown = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
    this.lookupBuckets =
        Caffeine.newBuilder()
            .expireAfterAccess(LOCAL_BUCKET_IDLE)
            .maximumSize(MAX_LOCAL_BUCKETS)
            .build();
  }

  /**
   * Takes one request from the bucket of {@code who} under {@code limit}.
   *
   * @throws ApiException {@code RATE_LIMIT} with the wait before the next request would pass
   */
  public void take(Limit limit, String who) {
    ConsumptionProbe probe;
    try {
      probe = bucket(limit, who).tryConsumeAndReturnRemaining(1);
    } catch (RuntimeException e) {
      // Redis is down: limits fail open, so that what works without Redis (cached books) still
      // does.
      redisDown.warn("Rate limit {} not checked: {}", limit, e.toString());
      return;
    }
    if (!probe.isConsumed()) {
      throw refused(limit, probe);
    }
  }

  /**
   * Takes one request from two buckets checked in Redis on every request (not lookups), a chat's
   * two limits, in one round trip: {@code take-both.lua} takes from both or from neither, so a
   * refused request counts against neither. It stands in every chat's time to the first token, and
   * Bucket4j's Redis buckets need a read and then a compare-and-swap each, two round trips one
   * after the other (0.57 ms p50 of the bench's hop of both, in flight together).
   *
   * <p>The buckets are the same as Bucket4j's ({@code refillIntervally}: whole again a minute after
   * a window's first chat), kept under keys of their own, on Redis's clock. Two keys in one script
   * need one Redis, or one hash slot in a Redis Cluster.
   *
   * @throws ApiException {@code RATE_LIMIT} as {@link #take} does
   */
  public void takeBoth(Limit first, String firstWho, Limit second, String secondWho) {
    takeBoth(first, firstWho, second, secondWho, null);
  }

  /**
   * As {@link #takeBoth(Limit, String, Limit, String)}, and in the same round trip checks and opens
   * what {@code admission} names: a ceiling checked before either bucket is taken from (a reader's
   * daily budget), then, when both buckets gave one, a claim taken unless another holds it (a
   * client message's stream) and a record written (the stream's). A chat's checks and writes before
   * its job, without a round trip each, in every chat's time to the first token.
   *
   * @return what Redis said; {@link Admitted.NotAsked} when it could not be asked (the limits
   *     failed open), and then the caller checks and writes the rest itself or fails as it would
   *     without Redis
   * @throws ApiException {@code RATE_LIMIT} when a bucket refuses, as {@link #take} does
   */
  public Admitted takeBoth(
      Limit first, String firstWho, Limit second, String secondWho, @Nullable Admission admission) {
    if (first == Limit.LOOKUP_USER || second == Limit.LOOKUP_USER) {
      throw new IllegalArgumentException("lookups have a slack of their own: use take");
    }
    var keys = new ArrayList<>(List.of(windowKey(first, firstWho), windowKey(second, secondWho)));
    var arguments =
        new ArrayList<>(
            List.of(
                ascii(perMinute(first)),
                ascii(perMinute(second)),
                ascii(Duration.ofMinutes(1).toMillis())));
    if (admission != null) {
      admission.addTo(keys, arguments);
    }
    List<Object> answer;
    try {
      answer =
          takeBoth(
              store.connection().sync(),
              keys.toArray(String[]::new),
              arguments.toArray(byte[][]::new));
    } catch (RuntimeException e) {
      // Redis is down or slow: both limits fail open, as take's do.
      redisDown.warn("Rate limit {} and {} not checked: {}", first, second, e.toString());
      return new Admitted.NotAsked();
    }
    long refusedBy = (Long) answer.get(0);
    if (refusedBy == 3) {
      return new Admitted.AtCeiling((Long) answer.get(1));
    }
    if (refusedBy != 0) {
      throw refused(refusedBy == 1 ? first : second, Duration.ofMillis((Long) answer.get(1)));
    }
    if (answer.size() > 2) {
      return new Admitted.Held(new String((byte[]) answer.get(2), StandardCharsets.UTF_8));
    }
    return new Admitted.Opened();
  }

  /**
   * What a request admitted by {@link #takeBoth} checks and opens in the limits' round trip.
   *
   * @param ceiling checked before the buckets; null when there is none
   * @param claim taken when both buckets gave one; null when there is none
   * @param record written when both buckets gave one and the claim (if any) was taken
   */
  public record Admission(@Nullable Ceiling ceiling, @Nullable Claim claim, AdmittedRecord record) {

    private void addTo(List<String> keys, List<byte[]> arguments) {
      // Every key in its place, an unused one included, so that the script finds them by position.
      keys.add(ceiling == null ? record.key() : ceiling.key());
      keys.add(claim == null ? record.key() : claim.key());
      keys.add(record.key());
      arguments.add(ceiling == null ? new byte[0] : ascii(ceiling.limit()));
      arguments.add(claim == null ? new byte[0] : ascii(claim.window().toMillis()));
      arguments.add(utf8(claim == null ? "" : claim.holder()));
      arguments.add(ascii(record.retention().toMillis()));
      record.fields().forEach(field -> arguments.add(utf8(field)));
    }
  }

  /**
   * A number in Redis that must be below {@code limit} for a request to be admitted (a key that is
   * absent counts as 0).
   */
  public record Ceiling(String key, long limit) {}

  /**
   * A key set to {@code holder} for {@code window} by the first admitted request that claims it;
   * the next ones learn who holds it.
   */
  public record Claim(String key, String holder, Duration window) {}

  /**
   * A Redis hash that a request admitted by {@link #takeBoth} opens.
   *
   * @param fields its fields and values, alternating
   * @param retention how long Redis keeps it
   */
  public record AdmittedRecord(String key, List<String> fields, Duration retention) {
    public AdmittedRecord {
      fields = List.copyOf(fields);
      if (fields.isEmpty() || fields.size() % 2 != 0) {
        throw new IllegalArgumentException("fields and values alternate, at least one pair");
      }
    }
  }

  /** What the limits' round trip said of an {@link Admission}, when no bucket refused. */
  public sealed interface Admitted {

    /** Redis could not be asked: the limits failed open, nothing was checked or written. */
    record NotAsked() implements Admitted {}

    /** Admitted: the claim (if any) is the request's, its record written. */
    record Opened() implements Admitted {}

    /** Admitted by both buckets, but another request holds the claim: nothing was written. */
    record Held(String holder) implements Admitted {}

    /** The ceiling's number is {@code value}, at or above the limit: no bucket was taken from. */
    record AtCeiling(long value) implements Admitted {}
  }

  private static List<Object> takeBoth(
      RedisCommands<String, byte[]> redis, String[] keys, byte[][] arguments) {
    try {
      return redis.evalsha(TAKE_BOTH_DIGEST, ScriptOutputType.MULTI, keys, arguments);
    } catch (RedisNoScriptException e) {
      // Redis restarted or its scripts were flushed: EVAL loads the script again.
      return redis.eval(TAKE_BOTH, ScriptOutputType.MULTI, keys, arguments);
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  /** Not Bucket4j's key: its value there is a string, the script's a hash. */
  static String windowKey(Limit limit, String who) {
    return "limit:window:" + limit.name().toLowerCase() + ":" + who;
  }

  private ApiException refused(Limit limit, ConsumptionProbe probe) {
    return refused(limit, Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private ApiException refused(Limit limit, Duration untilRefill) {
    meters.counter("shuzhi.ratelimit.rejections", "limit", limit.name().toLowerCase()).increment();
    return ApiException.rateLimited("请求太频繁，请稍后再试", untilRefill.plusSeconds(1));
  }

  private Bucket bucket(Limit limit, String who) {
    var buckets = store.buckets();
    long slack = limit == Limit.LOOKUP_USER ? lookupSlack() : 0;
    if (slack == 0) {
      return buckets.getProxy(redisKey(limit, who), () -> configuration(limit));
    }
    return lookupBuckets.get(
        who,
        reader ->
            buckets
                .builder()
                .withOptimization(
                    Optimizations.delaying(new DelayParameters(slack, LOOKUP_SYNC_INTERVAL)))
                .build(redisKey(limit, who), () -> configuration(limit)));
  }

  /** In tokens; a percentage of the limit, so that a limit lifted for a benchmark lifts it too. */
  long lookupSlack() {
    var percent = properties.lookupSlackPercent();
    return percent <= 0 ? 0 : Math.max(1, (long) properties.lookupsPerMinute() * percent / 100);
  }

  private static String script(String file) {
    try (var in = RateLimits.class.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String redisKey(Limit limit, String who) {
    return "limit:" + limit.name().toLowerCase() + ":" + who;
  }

  private BucketConfiguration configuration(Limit limit) {
    var perMinute = perMinute(limit);
    return BucketConfiguration.builder()
        .addLimit(l -> l.capacity(perMinute).refillIntervally(perMinute, Duration.ofMinutes(1)))
        .build();
  }

  private int perMinute(Limit limit) {
    return switch (limit) {
      case CHAT_USER -> properties.chatPerMinute();
      case CHAT_ADDRESS -> properties.chatPerMinutePerAddress();
      case LOGIN_ADDRESS -> properties.loginPerMinute();
      case LOOKUP_USER -> properties.lookupsPerMinute();
    };
  }

  /** The buckets in Redis, on a connection of their own. */
  private record Store(
      StatefulRedisConnection<String, byte[]> connection, ProxyManager<String> buckets) {
    static Store open(RedisClient redis) {
      var connection = redis.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
      return new Store(
          connection,
          Bucket4jLettuce.casBasedBuilder(connection)
              .expirationAfterWrite(
                  ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                      Duration.ofMinutes(1)))
              .build());
    }
  }

  /**
   * Connects again once Redis's client is back (see {@link #getPhase()}); the local lookup buckets
   * belonged to the old connection and are let go.
   */
  @Override
  public void start() {
    store = Store.open(redis);
    lookupBuckets.invalidateAll();
    running = true;
  }

  @Override
  public void stop() {
    close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PlatformAutoConfiguration.AFTER_REDIS;
  }

  /**
   * Once, whether the context stopped it first or not: Lettuce warns at a second close, and every
   * instance's stop logged that warning.
   */
  @PreDestroy
  synchronized void close() {
    if (running) {
      running = false;
      store.connection().close();
    }
  }
}
