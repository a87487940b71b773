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
    int lookupWarmupSeconds,
    int lookupRate,
    int lookupConnections,
    int lookupSeconds,
    int missWarmup,
    double missWarmupPerSecond,
    int misses,
    double missesPerSecond,
    int lookupReaders,
    int catalogueBooks,
    int kafkaFloorRecords,
    int kafkaHopRecords) {

  static final Scale FULL =
      new Scale(
          200,
          // At 200/s, before the first phase: the chat path compiled as in a service that has run a
          // while, and every reader (10,000) known to the API, as a reader who has just looked up
          // the book is; fewer, and the chats of an --only=ttft run read their readers from the
          // store.
          10_000,
          200,
          10,
          List.of(5_000, 10_000, 20_000, 30_000),
          100,
          12,
          2_000,
          30,
          10_000,
          250,
          // After a sweep over every reader and book: the curve, the popular books many times.
          10,
          2_000,
          16,
          8,
          300,
          20,
          50,
          2,
          // 2,000 lookups/s spread so that no reader passes the default 120/min (2/s) even at
          // capacity, over a catalogue of 10,000 books.
          10_000,
          10_000,
          2_000,
          // At 50/s: ten seconds of jobs' pace.
          500);

  /** Enough readers that two smoke runs' lookups stay within the default per-reader limit. */
  static final Scale SMOKE =
      new Scale(
          3,
          2,
          4,
          10,
          List.of(200),
          4,
          3,
          10,
          6,
          20,
          50,
          1,
          100,
          2,
          1,
          3,
          10,
          2,
          4,
          500,
          50,
          50,
          20);
}
