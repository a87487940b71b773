package tech.plumeintel.shuzhi.api.chat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tech.plumeintel.shuzhi.platform.PlatformAutoConfiguration;

/**
 * The live side of every stream this instance relays: one Redis pub/sub connection for all of them,
 * dispatching each frame to the listeners of its stream. Listeners must not block: the dispatch
 * runs on the Redis client's I/O thread.
 */
@Component
class LiveFrames implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LiveFrames.class);
  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(3);

  private final RedisClient redis;
  private final Map<String, List<Consumer<StreamFrame>>> listeners = new ConcurrentHashMap<>();
  private volatile StatefulRedisPubSubConnection<String, String> connection;
  private volatile boolean running = true;

  LiveFrames(RedisClient redis) {
    this.redis = redis;
    this.connection = connect();
  }

  private StatefulRedisPubSubConnection<String, String> connect() {
    var opened = redis.connectPubSub();
    opened.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            dispatch(channel, message);
          }
        });
    return opened;
  }

  /**
   * Connects again once Redis's client is back (see {@link #getPhase()}), listening again to the
   * streams still relayed.
   */
  @Override
  public void start() {
    connection = connect();
    if (!listeners.isEmpty()) {
      connection.async().subscribe(listeners.keySet().toArray(String[]::new));
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    connection.close();
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
   * Listens to a stream's frames. The subscription is sent, not awaited: {@link
   * Subscription#awaitConfirmed()} returns once Redis has confirmed it, and every frame published
   * afterwards reaches the listener.
   */
  Subscription subscribe(String requestId, Consumer<StreamFrame> listener) {
    var channel = ChatChannels.events(requestId);
    // Nearly always one listener per stream: an immutable list, copied on the rare change, is the
    // smallest thing to hold and to iterate on the I/O thread.
    listeners.merge(
        channel,
        List.of(listener),
        (current, added) -> {
          var all = new ArrayList<>(current);
          all.addAll(added);
          return List.copyOf(all);
        });
    var confirmation = connection.async().subscribe(channel);
    return new Subscription() {
      @Override
      public void awaitConfirmed() {
        try {
          confirmation.get(SUBSCRIBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          close();
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
          }
          throw new RedisSystemException("subscribe failed", e);
        }
      }

      @Override
      public void close() {
        unsubscribe(channel, listener);
      }
    };
  }

  /** One listener's interest in a stream. */
  interface Subscription extends AutoCloseable {

    /**
     * Waits until Redis has confirmed the subscription.
     *
     * @throws RedisSystemException when it did not in time; the subscription is closed
     */
    void awaitConfirmed();

    /** Ends the interest; frames still on their way are dropped. */
    @Override
    void close();
  }

  int activeStreams() {
    return listeners.size();
  }

  private void unsubscribe(String channel, Consumer<StreamFrame> listener) {
    listeners.computeIfPresent(
        channel,
        (key, current) -> {
          var rest = new ArrayList<>(current);
          rest.remove(listener);
          if (rest.isEmpty()) {
            connection.async().unsubscribe(channel);
            return null;
          }
          return List.copyOf(rest);
        });
  }

  private void dispatch(String channel, String message) {
    var targets = listeners.get(channel);
    if (targets == null) {
      return;
    }
    StreamFrame frame;
    try {
      frame = StreamFrame.decode(message);
    } catch (IllegalArgumentException e) {
      log.warn("Ignored a malformed frame on {}", channel);
      return;
    }
    for (var listener : targets) {
      listener.accept(frame);
    }
  }
}
