package tech.plumeintel.shuzhi.api.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;

/**
 * This instance's new chats whose job no worker has taken yet, and the refusal of more while the
 * oldest of them has waited {@code shuzhi.chat.busy-after}: the workers are not keeping up, and a
 * chat admitted now would most likely wait out the pickup timeout and fail. It is refused at once
 * instead, {@code 503 MODEL_ERROR} with {@code Retry-After}, before the limits count it or anything
 * is written; the SDK waits and sends it again with the same client message id. On this 2-core
 * machine, 100 chats/s without it left 36-40 % of them failing after 15 s each (bench, December 6).
 *
 * <p>Age, not a count: how many chats wait at once depends on the rate, while a job that waits
 * seconds means the same at any rate. A chat stops waiting at the worker's first frame or when its
 * connection ends, whichever comes first; the worker's claim sends a heartbeat for that, so a model
 * slow to its first token does not count as no worker there.
 */
@Component
class PickupBacklog {

  private static final Logger log = LoggerFactory.getLogger(PickupBacklog.class);

  /** When each waiting chat began to wait, by the order they began. */
  private final ConcurrentSkipListMap<Long, Long> waitingSince = new ConcurrentSkipListMap<>();

  private final AtomicLong opened = new AtomicLong();
  private final ChatProperties properties;
  private final Clock clock;
  private final ThrottledWarning refusing;

  PickupBacklog(ChatProperties properties, Clock clock, MeterRegistry meters) {
    this.properties = properties;
    this.clock = clock;
    this.refusing = new ThrottledWarning(log, Duration.ofSeconds(10), clock);
    Gauge.builder("shuzhi.chat.waiting.pickup", waitingSince, ConcurrentSkipListMap::size)
        .description("New chats of this API instance whose job no worker has taken yet")
        .register(meters);
  }

  /**
   * @param answered asked only while the workers are behind: whether a stream already answers this
   *     chat (its client message sent again, say after a connection lost before the answer began),
   *     which starts no job and so is not refused
   * @throws ApiException {@code MODEL_ERROR} with {@code Retry-After} while the oldest waiting chat
   *     has waited {@code busy-after} or longer
   */
  void requireRoom(BooleanSupplier answered) {
    long waited = oldestWait();
    if (waited >= properties.busyAfter().toMillis() && !answered.getAsBoolean()) {
      refusing.warn(
          "New chats refused: a job has waited {} ms for a chat-worker, {} chats wait",
          waited,
          waitingSince.size());
      throw ApiException.busy("对话服务繁忙，请稍后再试", properties.busyAfter());
    }
  }

  /** A new chat's job has been sent; its wait ends once, by {@link Wait#end()}. */
  Wait begin() {
    long key = opened.incrementAndGet();
    waitingSince.put(key, clock.millis());
    return new Wait(key);
  }

  /**
   * The oldest wait in milliseconds, 0 when none. A wait older than its pickup timeout has ended
   * (its connection fails it at the timeout, noticed within a tick) and is dropped a second later:
   * a wait somehow never ended must not refuse every chat for long.
   */
  long oldestWait() {
    long now = clock.millis();
    long stale = properties.pickupTimeout().plusSeconds(1).toMillis();
    while (true) {
      var oldest = waitingSince.firstEntry();
      if (oldest == null) {
        return 0;
      }
      long waited = now - oldest.getValue();
      if (waited <= stale) {
        return Math.max(0, waited);
      }
      waitingSince.remove(oldest.getKey(), oldest.getValue());
    }
  }

  int waiting() {
    return waitingSince.size();
  }

  /** One chat's wait for a worker, held by its connection's {@code Liveness} until it ends. */
  final class Wait {

    private final long key;

    private Wait(long key) {
      this.key = key;
    }

    /** A worker took the job, or the connection ended; the later calls do nothing. */
    void end() {
      waitingSince.remove(key);
    }
  }
}
