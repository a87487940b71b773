package tech.plumeintel.shuzhi.bench;

import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Says on the console which phase runs, every half minute that it still does, and how long it took:
 * a full run is minutes of load with nothing else to watch.
 */
final class PhaseLog {

  interface Phase {
    void run() throws Exception;
  }

  private PhaseLog() {}

  static void run(String name, Phase phase) throws Exception {
    long started = System.nanoTime();
    System.out.printf("bench: %s ...%n", name);
    var ticker =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("bench-phase-log").unstarted(runnable));
    ticker.scheduleAtFixedRate(
        () -> System.out.printf("bench: %s, %s so far%n", name, seconds(started)),
        30,
        30,
        TimeUnit.SECONDS);
    try {
      phase.run();
      System.out.printf("bench: %s done in %s%n", name, seconds(started));
    } finally {
      ticker.shutdownNow();
    }
  }

  private static String seconds(long started) {
    return String.format("%.0f s", (System.nanoTime() - started) / 1e9);
  }
}
