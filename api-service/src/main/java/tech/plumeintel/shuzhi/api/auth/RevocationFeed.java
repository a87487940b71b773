package tech.plumeintel.shuzhi.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;
import tech.plumeintel.shuzhi.platform.PlatformAutoConfiguration;

/**
 * Token families revoked on any instance, pushed to this one as they happen (Redis pub/sub), so
 * that a family Redis has once found unrevoked need not be asked about again while this feed
 * listens: {@link TokenFamilies} asks Redis only for families it has not confirmed since {@link
 * #listeningSince()}.
 *
 * <p>The feed vouches only for time it provably listened: from the subscription's confirmation
 * (again after every reconnect), and only while a PING sent on the same connection within the last
 * {@link #ANSWERED_WITHIN} came back. Redis answers on one connection in order, so a PONG means
 * every revocation published before its PING has arrived. A connection that stops answering is
 * replaced; until the new one is subscribed the feed vouches for nothing and every recheck asks
 * Redis, as before there was a feed.
 */
@Component
class RevocationFeed implements SmartLifecycle, DisposableBean {

  static final String CHANNEL = "auth:families-revoked";

  /** How the feed's connection shows in {@code CLIENT LIST}. */
  static final String CLIENT_NAME = "shuzhi-revocation-feed";

  static final Duration PING_EVERY = Duration.ofSeconds(1);
  static final Duration ANSWERED_WITHIN = Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);

  private final RedisClient redis;
  private final Clock clock;
  private final Cache<String, Boolean> revoked;
  private final ThrottledWarning outage;
  private final ScheduledExecutorService pinger =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("revocation-feed").factory());

  private volatile @Nullable StatefulRedisPubSubConnection<String, String> connection;
  private volatile @Nullable Instant subscribedAt;

  /** When the newest PING that came back was sent (or the subscription was confirmed). */
  private volatile long lastAnsweredPingNanos;

  private @Nullable ScheduledFuture<?> pinging;
  private volatile boolean running;

  RevocationFeed(RedisClient redis, Clock clock, JwtProperties properties) {
    this.redis = redis;
    this.clock = clock;
    this.outage = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
    this.revoked =
        Caffeine.newBuilder()
            .expireAfterWrite(properties.revocationKept())
            .maximumSize(1_000_000)
            .build();
  }

  /**
   * Since when this feed has received every revocation published, or null when it cannot vouch for
   * now (not subscribed, or its connection has not answered lately).
   */
  @Nullable Instant listeningSince() {
    var since = subscribedAt;
    if (since == null || System.nanoTime() - lastAnsweredPingNanos > ANSWERED_WITHIN.toNanos()) {
      return null;
    }
    return since;
  }

  /** Whether the family was revoked while this feed listened (or by this instance). */
  boolean knows(String family) {
    return revoked.getIfPresent(family) != null;
  }

  /** A revocation made here: known at once, whatever the round trip through Redis does. */
  void revokedHere(String family) {
    revoked.put(family, Boolean.TRUE);
  }

  @Override
  public synchronized void start() {
    connect();
    pinging =
        pinger.scheduleWithFixedDelay(
            this::ping, PING_EVERY.toMillis(), PING_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    running = true;
  }

  @Override
  public synchronized void stop() {
    running = false;
    if (pinging != null) {
      pinging.cancel(false);
    }
    subscribedAt = null;
    var current = connection;
    if (current != null) {
      current.closeAsync();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /**
   * The pinging thread goes with the context (stop and start keep it: a paused context resumes).
   */
  @Override
  public void destroy() {
    pinger.shutdownNow();
  }

  @Override
  public int getPhase() {
    return PlatformAutoConfiguration.AFTER_REDIS;
  }

  private void connect() {
    subscribedAt = null;
    StatefulRedisPubSubConnection<String, String> opened;
    try {
      opened = redis.connectPubSub();
    } catch (RuntimeException e) {
      // Redis is down: the next ping tries again; meanwhile every recheck asks Redis.
      outage.warn("Revocation feed not connected: {}", e.getClass().getSimpleName());
      connection = null;
      return;
    }
    opened.addListener(
        new RedisPubSubAdapter<String, String>() {
          @Override
          public void message(String channel, String family) {
            revoked.put(family, Boolean.TRUE);
          }

          @Override
          public void subscribed(String channel, long count) {
            // Also after Lettuce's own reconnect, which subscribes again.
            lastAnsweredPingNanos = System.nanoTime();
            subscribedAt = clock.instant();
          }
        });
    opened.addListener(
        new RedisConnectionStateListener() {
          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            subscribedAt = null;
          }
        });
    // A new connection has until ANSWERED_WITHIN from now to answer before it is replaced.
    lastAnsweredPingNanos = System.nanoTime();
    opened.async().clientSetname(CLIENT_NAME);
    opened.async().subscribe(CHANNEL);
    connection = opened;
  }

  private synchronized void ping() {
    if (!running) {
      return;
    }
    var current = connection;
    long sent = System.nanoTime();
    if (current == null || sent - lastAnsweredPingNanos > ANSWERED_WITHIN.toNanos()) {
      if (current != null) {
        log.warn("Revocation feed silent for {}: connecting again", ANSWERED_WITHIN);
        current.closeAsync();
      }
      connect();
      return;
    }
    current
        .async()
        .ping()
        .thenRun(
            () -> {
              if (sent > lastAnsweredPingNanos) {
                lastAnsweredPingNanos = sent;
              }
            });
  }
}
