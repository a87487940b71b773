package tech.plumeintel.shuzhi.api.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * One warning line per interval for a failure that repeats on every request (Redis down): the first
 * occurrence is logged at once, the rest of the interval only counted, and the count told with the
 * next line. An outage under load would otherwise write thousands of identical lines a second.
 */
public final class ThrottledWarning {

  private final Logger log;
  private final Duration interval;
  private final Clock clock;
  private final AtomicReference<Instant> lastLogged = new AtomicReference<>(Instant.MIN);
  private final AtomicLong suppressed = new AtomicLong();

  public ThrottledWarning(Logger log, Duration interval, Clock clock) {
    this.log = log;
    this.interval = interval;
    this.clock = clock;
  }

  /**
   * Logs {@code message} (with SLF4J placeholders) unless a line was logged within the interval.
   */
  public void warn(String message, Object... arguments) {
    var now = clock.instant();
    var last = lastLogged.get();
    if (last != Instant.MIN && now.isBefore(last.plus(interval))
        || !lastLogged.compareAndSet(last, now)) {
      suppressed.incrementAndGet();
      return;
    }
    var skipped = suppressed.getAndSet(0);
    if (skipped > 0) {
      log.warn(message + " ({} more like this in the last {} s)", append(arguments, skipped));
    } else {
      log.warn(message, arguments);
    }
  }

  private Object[] append(Object[] arguments, long skipped) {
    var all = java.util.Arrays.copyOf(arguments, arguments.length + 2);
    all[arguments.length] = skipped;
    all[arguments.length + 1] = interval.toSeconds();
    return all;
  }
}
