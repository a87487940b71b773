package tech.plumeintel.shuzhi.bench;

import java.time.Duration;
import java.util.Map;

/**
 * Waits until the system is quiet before a phase: a phase's aftermath (10,000 streams closing and
 * their exchanges written to the store after the open-streams phase) otherwise runs into the next
 * phase and is measured as part of it.
 */
final class Settle {

  /** Cores the system's processes may use together and still count as quiet. */
  static final double QUIET_CORES = 0.3;

  private static final long WINDOW_MS = 2_000;

  private Settle() {}

  /**
   * @return the seconds waited; gives up (and says so) after {@code atMost}
   */
  static double await(Map<String, ProcessHandle> processes, Duration atMost)
      throws InterruptedException {
    long started = System.nanoTime();
    while (true) {
      var meter = new CpuMeter(processes).begin();
      Thread.sleep(WINDOW_MS);
      double busy =
          meter.coresUsed().entrySet().stream()
              .filter(e -> !e.getKey().startsWith("bench"))
              .mapToDouble(Map.Entry::getValue)
              .sum();
      double waited = (System.nanoTime() - started) / 1e9;
      if (busy <= QUIET_CORES) {
        return waited;
      }
      if (waited >= atMost.toSeconds()) {
        System.out.printf("bench: still %.2f cores busy after %.0f s; going on%n", busy, waited);
        return waited;
      }
    }
  }
}
