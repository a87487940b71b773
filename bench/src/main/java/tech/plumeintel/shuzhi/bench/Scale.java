package tech.plumeintel.shuzhi.bench;

import java.util.List;

/**
 * How hard and how long each phase pushes: the full run measures the goals; the smoke run only
 * proves every phase still works end to end, in seconds.
 */
record Scale(
    int users,
    int warmupChats,
    int ttftChats,
    double ttftPerSecond,
    List<Integer> relayTokensPerSecond,
    int relayStreams,
    int relaySeconds,
    int workerChats,
    int workerSeconds,
    int openStreams,
    double openPerSecond,
    int lookupWarmup,
    List<Integer> lookupRates,
    int lookupSeconds,
    int misses,
    double missesPerSecond) {

  static final Scale FULL = new Scale(50, 40, 200, 10, List.of(5_000, 10_000, 20_000, 30_000), 100,
      12, 2_000, 30, 10_000, 400, 4_000, List.of(2_000, 3_000, 4_000, 5_000, 6_000), 6, 50, 2);

  static final Scale SMOKE = new Scale(3, 2, 4, 10, List.of(200), 4, 3, 10, 6, 20, 50, 50,
      List.of(100), 1, 2, 4);
}
