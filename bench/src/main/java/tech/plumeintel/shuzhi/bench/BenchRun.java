package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark: starts the local run against the stand-ins, runs each phase open-loop after a
 * warm-up, and writes {@code latest.json} and {@code latest.md}.
 *
 * <p>Options: {@code --smoke} (seconds; numbers mean nothing), {@code --out=DIR} (default {@code
 * bench/results}), {@code --launcher=JAR}, {@code --jfr} (a flight recording per service into the
 * output directory), {@code --only=phase,...}.
 */
public final class BenchRun {

  static final String BOOK = "9787536025080";

  /**
   * The services' JVM options: the local run's serial GC, but the full JIT (the local run stops at
   * C1 to start quickly) and heaps large enough for 10,000 open streams.
   */
  static final List<String> SERVICE_JVM = List.of("-Xmx2g", "-XX:+UseSerialGC");

  private BenchRun() {}

  public static void main(String[] args) throws Exception {
    boolean smoke = List.of(args).contains("--smoke");
    boolean jfr = List.of(args).contains("--jfr");
    var out = Path.of(option(args, "out", "bench/results"));
    var launcher = Path.of(option(args, "launcher", "local/target/shuzhi-local.jar"));
    var only = option(args, "only", "ttft,relay,worker,open,lookup,miss");
    // Ctrl-C: the launcher stops its services, as it does for ./local/run.
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () ->
                        ProcessHandle.current()
                            .children()
                            .forEach(
                                child -> {
                                  child.destroy();
                                  child
                                      .onExit()
                                      .orTimeout(60, TimeUnit.SECONDS)
                                      .exceptionally(e -> null)
                                      .join();
                                })));
    boolean primaryDown = List.of(args).contains("--primary-down");
    var report =
        run(smoke ? Scale.SMOKE : Scale.FULL, smoke, jfr, out, launcher, only, primaryDown);
    System.out.println();
    System.out.print(report.markdown());
    System.exit(0);
  }

  static Report run(Scale scale, boolean smoke, boolean jfr, Path out, Path launcher, String only)
      throws Exception {
    return run(scale, smoke, jfr, out, launcher, only, false);
  }

  /**
   * @param primaryDown the first LLM upstream refuses connections and the stand-in is its fallback:
   *     what failover costs the time to first token
   */
  static Report run(
      Scale scale,
      boolean smoke,
      boolean jfr,
      Path out,
      Path launcher,
      String only,
      boolean primaryDown)
      throws Exception {
    var report = new Report(smoke);
    report.load("start");
    var jvm = new ArrayList<>(SERVICE_JVM);
    if (jfr) {
      Files.createDirectories(out.resolve("jfr"));
      jvm.add(
          "-XX:StartFlightRecording=filename="
              + out.toAbsolutePath().resolve("jfr")
              + "/%p.jfr,settings=profile");
    }
    var dataDir = Files.createTempDirectory("shuzhi-bench-");
    try (var llm = new LlmStandInProcess();
        var books = new BookSourcesStandIn()) {
      var env = new HashMap<String, String>();
      if (primaryDown) {
        env.put("SHUZHI_LLM_FALLBACKS_0_BASE_URL", llm.baseUrl().toString());
        env.put("SHUZHI_LLM_FALLBACKS_0_API_KEY", "bench-key");
        env.put("SHUZHI_LLM_FALLBACKS_0_MODEL", "bench");
      }
      env.putAll(
          Map.ofEntries(
              Map.entry("SHUZHI_LLM_BASE_URL", llm.baseUrl().toString()),
              Map.entry("SHUZHI_LLM_API_KEY", "bench-key"),
              Map.entry("SHUZHI_LLM_MODEL", "bench"),
              Map.entry(
                  "SHUZHI_LLM_MAX_CONCURRENT_STREAMS",
                  Integer.toString(scale.openStreams() + 1_000)),
              Map.entry("SHUZHI_BOOKS_DOUBAN_BASE_URL", books.baseUrl() + "/douban"),
              Map.entry("SHUZHI_BOOKS_DOUBAN_REQUESTS_PER_SECOND", "1000"),
              Map.entry("SHUZHI_BOOKS_OPENLIBRARY_BASE_URL", books.baseUrl() + "/openlibrary"),
              Map.entry("SHUZHI_BOOKS_OPENLIBRARY_COVERS_BASE_URL", books.baseUrl() + "/olcovers"),
              Map.entry("SHUZHI_BOOKS_GOOGLE_BASE_URL", books.baseUrl() + "/google"),
              Map.entry("SHUZHI_BOOKS_GOOGLE_REQUESTS_PER_SECOND", "1000"),
              Map.entry("SHUZHI_BOOKS_COVERS_REQUESTS_PER_SECOND", "1000"),
              // The bench is one client address and a few readers: lift the per-minute limits and
              // the
              // daily token budget, which would otherwise be what it measures.
              Map.entry("SHUZHI_LIMITS_CHAT_PER_MINUTE", "100000000"),
              Map.entry("SHUZHI_LIMITS_CHAT_PER_MINUTE_PER_ADDRESS", "100000000"),
              Map.entry("SHUZHI_LIMITS_LOGIN_PER_MINUTE", "100000"),
              Map.entry("SHUZHI_LIMITS_LOOKUPS_PER_MINUTE", "100000000"),
              // The bench stands for the proxy in front of the API: its X-Forwarded-For per reader
              // is believed from its own (loopback) address, as a deployment names its proxy.
              Map.entry("SHUZHI_TRUSTED_PROXIES", "127.0.0.1"),
              Map.entry("SHUZHI_LIMITS_DAILY_TOKENS", "0"),
              Map.entry("LOGGING_LEVEL_ROOT", "WARN")));
      if (primaryDown) {
        // A port that was free a moment ago: nothing listens there, so connections are refused.
        try (var closed = new ServerSocket(0)) {
          env.put("SHUZHI_LLM_BASE_URL", "http://127.0.0.1:" + closed.getLocalPort());
        }
      }
      long started = System.nanoTime();
      try (var sut =
          SystemUnderTest.start(
              launcher, dataDir, out.resolve("system.log"), env, jvm, Duration.ofSeconds(240))) {
        System.out.printf("bench: system up in %.0f s%n", (System.nanoTime() - started) / 1e9);
        sut.alsoWatch("LLM stand-in", llm.handle());
        var client = new Client(sut.api(), llm.baseUrl());
        client.login(scale.users());
        var books_ = new BookPhases(sut, client, scale, report);
        var chats = new ChatPhases(sut, client, llm, scale, report);
        books_.seed(BOOK);
        if (only.contains("miss")) {
          books_.miss();
        }
        if (only.contains("lookup")) {
          books_.lookups(BOOK);
        }
        chats.warmUp(BOOK);
        if (only.contains("ttft")) {
          chats.ttft(BOOK);
        }
        if (only.contains("relay")) {
          chats.relay(BOOK);
        }
        if (only.contains("worker")) {
          chats.workerConcurrency(BOOK);
        }
        if (only.contains("open")) {
          chats.openStreams(BOOK);
        }
      }
    } finally {
      report.load("end");
      report.write(out, String.join(" ", jvm));
      deleteQuietly(dataDir);
    }
    return report;
  }

  /** The run's Kafka log and Mongo file: a bench run starts afresh and leaves nothing behind. */
  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static String option(String[] args, String name, String fallback) {
    for (var arg : args) {
      if (arg.startsWith("--" + name + "=")) {
        return arg.substring(name.length() + 3);
      }
    }
    return fallback;
  }
}
