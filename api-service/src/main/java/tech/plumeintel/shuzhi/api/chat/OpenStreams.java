package tech.plumeintel.shuzhi.api.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The streams this instance is writing, and what writes them: a virtual thread per burst of frames
 * (none while a stream is idle, so an idle stream costs no thread stack), and one clock that lets
 * every stream notice its pings and deadlines. When the instance stops, it ends every stream
 * without a final event before the web server's graceful shutdown begins: their clients resume on
 * another instance from the last event they got, and lose nothing, since the stream lives in Redis.
 */
@Component
class OpenStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OpenStreams.class);

  /** How late a ping or a deadline may be noticed; pings are 15 s apart, deadlines seconds. */
  private static final long TICK_MILLIS = 250;

  private final Set<StreamSession> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService writers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chat-stream").factory());
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("chat-stream-clock").daemon().factory());
  private final Clock clock;
  private @Nullable ScheduledFuture<?> ticks;
  private volatile boolean running;

  OpenStreams(MeterRegistry meters, Clock clock) {
    this.clock = clock;
    Gauge.builder("shuzhi.chat.relayed.streams", open, Set::size)
        .description("Chat streams this API instance is relaying to clients")
        .register(meters);
  }

  Executor writers() {
    return writers;
  }

  void add(StreamSession session) {
    open.add(session);
  }

  void remove(StreamSession session) {
    open.remove(session);
  }

  @Override
  public void start() {
    running = true;
    ticks = ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = clock.millis();
    for (var session : open) {
      session.tick(now);
    }
  }

  @Override
  public void stop() {
    running = false;
    if (!open.isEmpty()) {
      log.info("Handing {} open streams back to their clients to resume elsewhere", open.size());
    }
    open.forEach(StreamSession::handBack);
    if (ticks != null) {
      ticks.cancel(false);
    }
  }

  @PreDestroy
  void shutDown() {
    ticker.shutdownNow();
    writers.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops first, before the web server waits for open requests to finish. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}
