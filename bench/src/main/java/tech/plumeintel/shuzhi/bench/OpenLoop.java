package tech.plumeintel.shuzhi.bench;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * A fixed arrival schedule: the i-th action is due at {@code start + i / rate}, and is handed its
 * due time whether or not earlier ones have finished, so latency is measured from when a request
 * was meant to leave (no coordinated omission). Actions must not block.
 */
final class OpenLoop {

  private OpenLoop() {}

  /** Runs {@code count} actions at {@code perSecond}; returns when the last has been started. */
  static void run(double perSecond, int count, LongConsumer action) {
    long start = System.nanoTime();
    double gap = 1e9 / perSecond;
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * gap);
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      action.accept(due);
    }
  }
}
