package tech.plumeintel.shuzhi.api.chat;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The clock side of one client connection: when to ping, when the connection's time is up, and
 * whether the worker is gone (never took the job, or fell silent). Frames are noted as they arrive
 * on the Redis I/O thread, not as they are written: a writer held up by a slow client must not take
 * the worker for silent. Everything else is read and written by the connection's one writer at a
 * time; {@link #dueAt} is read by the relay's clock to wake an idle connection.
 */
final class Liveness {

  /** What the clock says about a connection when its writer looks. */
  enum Verdict {
    FINE,
    PING,
    CONNECTION_OVER,
    NOT_PICKED_UP,
    WORKER_SILENT
  }

  private final ChatProperties properties;
  private final long pickupDeadline;

  /** Ends a new job's wait for a worker (PickupBacklog); dropped once run, null when none. */
  private volatile @Nullable Runnable pickupWait;

  private volatile long lastWorkerSignal;
  private volatile boolean workerSeen;
  private volatile long dueAt = Long.MAX_VALUE;

  // Owned by the writer.
  private long nextPing;
  private long connectionEnd = Long.MAX_VALUE;

  /**
   * @param pickupDeadline when a new job that no worker has taken fails; null when resuming
   * @param pickupWait ends the new job's wait for a worker, once one is seen or the connection ends
   *     (at most twice, racing: it must not mind); null when resuming
   */
  Liveness(
      ChatProperties properties,
      @Nullable Instant pickupDeadline,
      long nowMillis,
      @Nullable Runnable pickupWait) {
    this.properties = properties;
    this.pickupDeadline = pickupDeadline == null ? Long.MAX_VALUE : pickupDeadline.toEpochMilli();
    this.lastWorkerSignal = nowMillis;
    this.pickupWait = pickupWait;
  }

  /** The connection starts writing: its own time and its pings count from now. */
  void begin(long nowMillis) {
    connectionEnd = nowMillis + properties.maxConnection().toMillis();
    nextPing = nowMillis + properties.pingInterval().toMillis();
  }

  /** A frame came from the worker, live (Redis I/O thread) or from the log. */
  void workerSignalled(long nowMillis) {
    lastWorkerSignal = nowMillis;
    workerSeen();
  }

  /** A frame from the log: the worker was there, whenever it wrote it. */
  void workerSeen() {
    if (!workerSeen) {
      workerSeen = true;
      endPickupWait();
    }
  }

  /**
   * The wait for a worker is over: one was seen, or the connection ended. Not kept afterwards: an
   * open stream holds nothing of it.
   */
  void endPickupWait() {
    var wait = pickupWait;
    if (wait != null) {
      pickupWait = null;
      wait.run();
    }
  }

  /** Something went to the client; the next ping is due an interval later. */
  void wrote(long nowMillis) {
    nextPing = nowMillis + properties.pingInterval().toMillis();
  }

  Verdict verdict(long nowMillis) {
    if (nowMillis >= connectionEnd) {
      return Verdict.CONNECTION_OVER;
    }
    if (!workerSeen && nowMillis > pickupDeadline) {
      return Verdict.NOT_PICKED_UP;
    }
    if (nowMillis > lastWorkerSignal + properties.workerSilence().toMillis()) {
      return Verdict.WORKER_SILENT;
    }
    return nowMillis >= nextPing ? Verdict.PING : Verdict.FINE;
  }

  /** After a write: when the writer must run next even if no frame comes. */
  void scheduleNext() {
    long next = Math.min(nextPing, connectionEnd);
    next = Math.min(next, lastWorkerSignal + properties.workerSilence().toMillis() + 1);
    if (!workerSeen && pickupDeadline != Long.MAX_VALUE) {
      next = Math.min(next, pickupDeadline + 1);
    }
    dueAt = next;
  }

  boolean isDue(long nowMillis) {
    return nowMillis >= dueAt;
  }
}
