package tech.plumeintel.shuzhi.api.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The streams this instance is writing. When the instance stops, it ends every one of them without
 * a final event before the web server's graceful shutdown begins: their clients resume on another
 * instance from the last event they got, and lose nothing, since the stream lives in Redis.
 */
@Component
class OpenStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OpenStreams.class);

  private final Set<StreamSession> open = ConcurrentHashMap.newKeySet();
  private volatile boolean running;

  OpenStreams(MeterRegistry meters) {
    Gauge.builder("shuzhi.chat.relayed.streams", open, Set::size)
        .description("Chat streams this API instance is relaying to clients")
        .register(meters);
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
  }

  @Override
  public void stop() {
    running = false;
    if (!open.isEmpty()) {
      log.info("Handing {} open streams back to their clients to resume elsewhere", open.size());
    }
    open.forEach(StreamSession::handBack);
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
