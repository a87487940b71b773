package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark: starts the local run against the stand-ins, runs each phase open-loop after a
 * warm-up, and writes {@code latest.json} and {@code latest.md}.
 *
 * <p>Options: {@code --smoke} (seconds; numbers mean nothing), {@code --out=DIR} (default {@code
 * bench/results}), {@code --launcher=JAR}, {@code --jfr} (a flight recording per service into the
 * output directory), {@code --only=phase,...}, {@code --repeat=N} (each phase N times in one
 * system; the table shows the median run and the spread; default 3, 1 in smoke mode), {@code
 * --jvm=production|serial|zgc|"OPTIONS"} (the services' JVM options; default production), {@code
 * --gc-log} (a GC log per service into the output directory).
 */
public final class BenchRun {

  static final String BOOK = "9787536025080";

  /** The services' logs in the output directory: the launcher's, the question check's two. */
  private static final List<String> SERVICE_LOGS =
      List.of("system.log", "api-checks-on.log", "api-checks-off.log");

  /**
   * The services' JVM options, by name ({@code --jvm=NAME}; {@code --jvm="-X… -X…"} for others):
   * {@code production} is what the image gives a deployment (the Dockerfile's G1, on a 2 GB heap as
   * a 2.7 GB container would give it); {@code serial} is what this bench used until December 2026:
   * the serial collector with the full JIT. All have heaps large enough for 10,000 open streams.
   */
  static final Map<String, List<String>> SERVICE_JVMS =
      Map.of(
          "production", List.of("-Xmx2g", "-XX:+UseG1GC"),
          "serial", List.of("-Xmx2g", "-XX:+UseSerialGC"),
          "zgc", List.of("-Xmx2g", "-XX:+UseZGC"));

  private BenchRun() {}

  public static void main(String[] args) throws Exception {
    // The JDK's HTTP server (the bench's stand-ins) closes, unannounced, every connection that goes
    // idle while it holds 200 idle ones; after a burst of question checks that left the services'
    // pooled connections to the WeChat stand-in closed under them. WeChat's servers keep a client's
    // connections until their idle timeout, so the stand-ins do too.
    System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
    // It also leaves Nagle's algorithm on; servers send at once here (the WeChat and book
    // stand-ins). The LLM stand-in runs in a JVM of its own and sets it there (LlmStandIn.main).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    boolean smoke = List.of(args).contains("--smoke");
    boolean jfr = List.of(args).contains("--jfr");
    var out = Path.of(option(args, "out", "bench/results"));
    var launcher = Path.of(option(args, "launcher", "local/target/shuzhi-local.jar"));
    var only = option(args, "only", "ttft,security,relay,worker,open,lookup,miss");
    int repeat = Integer.parseInt(option(args, "repeat", smoke ? "1" : "3"));
    var jvmName = option(args, "jvm", "production");
    var jvm =
        new ArrayList<>(SERVICE_JVMS.getOrDefault(jvmName, List.of(jvmName.trim().split("\\s+"))));
    if (List.of(args).contains("--gc-log")) {
      Files.createDirectories(out.resolve("gc"));
      jvm.add("-Xlog:gc*:file=" + out.toAbsolutePath().resolve("gc") + "/%p.log:time,uptime");
    }
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
        run(
            smoke ? Scale.SMOKE : Scale.FULL,
            smoke,
            jfr,
            out,
            launcher,
            only,
            repeat,
            jvm,
            primaryDown);
    System.out.println();
    System.out.print(report.markdown());
    System.exit(0);
  }

  static Report run(
      Scale scale,
      boolean smoke,
      boolean jfr,
      Path out,
      Path launcher,
      String only,
      int repeat,
      List<String> serviceJvm)
      throws Exception {
    return run(scale, smoke, jfr, out, launcher, only, repeat, serviceJvm, false);
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
      int repeat,
      List<String> serviceJvm,
      boolean primaryDown)
      throws Exception {
    var runStarted = System.currentTimeMillis();
    // The question check's instances append to theirs, run after run: a last bench's lines go.
    for (var name : SERVICE_LOGS.subList(1, SERVICE_LOGS.size())) {
      Files.deleteIfExists(out.resolve(name));
    }
    var report = new Report(smoke);
    report.load("start");
    var jvm = new ArrayList<>(serviceJvm);
    if (jfr) {
      Files.createDirectories(out.resolve("jfr"));
      jvm.add(
          "-XX:StartFlightRecording=filename="
              + out.toAbsolutePath().resolve("jfr")
              + "/%p.jfr,settings=profile");
    }
    var dataDir = Files.createTempDirectory("shuzhi-bench-");
    try (var llm = new LlmStandInProcess();
        var books = new BookSourcesStandIn();
        var wechat = new WechatStandIn()) {
      var changed = new LinkedHashMap<String, String[]>();
      changed.put(
          "SHUZHI_LLM_BASE_URL", new String[] {llm.baseUrl().toString(), "the LLM stand-in"});
      changed.put("SHUZHI_LLM_API_KEY", new String[] {"bench-key", "the stand-in's key"});
      changed.put("SHUZHI_LLM_MODEL", new String[] {"bench", "the stand-in's model"});
      changed.put(
          "SHUZHI_LLM_MAX_CONCURRENT_STREAMS",
          new String[] {
            Integer.toString(scale.openStreams() + 1_000),
            "one chat-worker holds the open-streams phase's 10,000 chats (default 1,000)"
          });
      changed.put(
          "SHUZHI_BOOKS_DOUBAN_BASE_URL", new String[] {books.baseUrl() + "/douban", "stand-in"});
      changed.put(
          "SHUZHI_BOOKS_OPENLIBRARY_BASE_URL",
          new String[] {books.baseUrl() + "/openlibrary", "stand-in"});
      changed.put(
          "SHUZHI_BOOKS_OPENLIBRARY_COVERS_BASE_URL",
          new String[] {books.baseUrl() + "/olcovers", "stand-in"});
      changed.put(
          "SHUZHI_BOOKS_GOOGLE_BASE_URL", new String[] {books.baseUrl() + "/google", "stand-in"});
      for (var source : List.of("DOUBAN", "GOOGLE", "COVERS")) {
        changed.put(
            "SHUZHI_BOOKS_" + source + "_REQUESTS_PER_SECOND",
            new String[] {
              "1000",
              "the cache-miss phase fetches 20 books/s from a stand-in; the sources' own"
                  + " politeness limits would be what it measures"
            });
      }
      String chatsWhy =
          "the chat phases start up to 10,000 chats a minute over the readers, far past what a"
              + " reader does; chats per minute are not what they measure";
      changed.put("SHUZHI_LIMITS_CHAT_PER_MINUTE", new String[] {"100000000", chatsWhy});
      changed.put(
          "SHUZHI_LIMITS_CHAT_PER_MINUTE_PER_ADDRESS", new String[] {"100000000", chatsWhy});
      changed.put(
          "SHUZHI_LIMITS_LOGIN_PER_MINUTE",
          new String[] {"100000", "the bench logs in its readers at once, before measuring"});
      changed.put(
          "SHUZHI_LIMITS_DAILY_TOKENS",
          new String[] {
            "1000000000000",
            "the chat phases stream millions of tokens over the same readers; the budget stays on,"
                + " so that every chat's check of it is measured"
          });
      changed.put(
          "SHUZHI_TRUSTED_PROXIES",
          new String[] {
            "127.0.0.1",
            "the bench stands in for the proxy: each request names its reader's"
                + " address in X-Forwarded-For, so the per-address limits see many addresses"
          });
      changed.put(
          "SHUZHI_BENCH_CEILING_ENDPOINT",
          new String[] {"true", "the trivial endpoint the lookups are compared with"});
      changed.put("LOGGING_LEVEL_ROOT", new String[] {"WARN", "no log line per request"});
      // Not a setting a reader's experience depends on: the two more API instances of the
      // question-check phase need the same key as the launcher's, so the readers' tokens work
      // there.
      var signingKey = new byte[48];
      new SecureRandom().nextBytes(signingKey);
      var jwtSecret = Base64.getEncoder().encodeToString(signingKey);
      if (primaryDown) {
        // A port that was free a moment ago, and given to nothing else: connections are refused.
        changed.put(
            "SHUZHI_LLM_BASE_URL",
            new String[] {
              "http://127.0.0.1:" + SystemUnderTest.freePort(),
              "--primary-down: refuses connections"
            });
        changed.put(
            "SHUZHI_LLM_FALLBACKS_0_BASE_URL",
            new String[] {llm.baseUrl().toString(), "--primary-down: the stand-in as fallback"});
        changed.put("SHUZHI_LLM_FALLBACKS_0_API_KEY", new String[] {"bench-key", "the stand-in's"});
        changed.put("SHUZHI_LLM_FALLBACKS_0_MODEL", new String[] {"bench", "the stand-in's"});
      }
      var env = new LinkedHashMap<String, String>();
      changed.forEach(
          (name, valueAndWhy) -> {
            env.put(name, valueAndWhy[0]);
            report.changedSetting(name + "=" + valueAndWhy[0], valueAndWhy[1]);
          });
      report.changedSetting(
          "service JVM options " + String.join(" ", jvm),
          "the launcher's own defaults are the local run's (serial collector, C1 only, 384 MB)");
      var launcherEnv = new LinkedHashMap<>(env);
      launcherEnv.put("SHUZHI_JWT_SECRET", jwtSecret);
      long started = System.nanoTime();
      try (var sut =
          SystemUnderTest.start(
              launcher,
              dataDir,
              out.resolve("system.log"),
              launcherEnv,
              jvm,
              Duration.ofSeconds(240))) {
        System.out.printf("bench: system up in %.0f s%n", (System.nanoTime() - started) / 1e9);
        sut.alsoWatch("LLM stand-in", llm.handle());
        var client = new Client(sut.api(), llm.baseUrl());
        int readers = Math.max(scale.users(), scale.lookupReaders());
        PhaseLog.run("logging in " + readers + " readers", () -> client.login(readers));
        var books_ = new BookPhases(sut, client, scale, report);
        var chats = new ChatPhases(sut, client, llm, scale, report);
        PhaseLog.run("seeding the book", () -> books_.seed(BOOK));
        var catalogue = Catalogue.copy(sut.mongoUri(), BOOK, scale.catalogueBooks());
        var popularity = new Popularity(catalogue.size(), 1.0, 1 << 20, 2026);
        PhaseLog.run("chat warm-up", () -> chats.warmUp(BOOK));
        var services = new LinkedHashMap<>(env);
        services.putAll(sut.storesForAnotherService());
        services.put("SHUZHI_JWT_SECRET", jwtSecret);
        for (int run = 1; run <= repeat; run++) {
          if (run > 1) {
            report.nextRun();
          }
          System.out.printf("bench: run %d of %d%n", run, repeat);
          if (only.contains("miss")) {
            settle(sut, smoke);
            PhaseLog.run("phase: cache miss", books_::miss);
          }
          if (only.contains("lookup")) {
            settle(sut, smoke);
            PhaseLog.run("phase: cache-hit lookups", () -> books_.lookups(catalogue, popularity));
          }
          if (only.contains("ttft")) {
            settle(sut, smoke);
            PhaseLog.run(
                "phase: time to first token",
                () -> {
                  var floor = KafkaFloor.measure(sut.kafkaBootstrap(), scale.kafkaFloorRecords());
                  System.out.println("bench: Kafka floor " + floor);
                  var hop = KafkaHop.measure(sut.kafkaBootstrap(), scale.kafkaHopRecords(), 50);
                  System.out.println("bench: Kafka hop " + hop.data());
                  chats.ttft(BOOK, floor, hop);
                });
          }
          if (only.contains("security")) {
            // Started for this phase only: two idle instances would take CPU from the others.
            settle(sut, smoke);
            PhaseLog.run(
                "phase: the question check in time to first token",
                () -> {
                  try (var checks = QuestionCheckApis.start(launcher, jvm, services, wechat, out)) {
                    chats.warmQuestionCheck(BOOK, checks);
                    // The new instances' compilers, and the chat-worker's history writes, finish
                    // before anything is measured.
                    settle(checks.withProcesses(sut.processes()), smoke);
                    chats.questionCheck(BOOK, checks, wechat);
                  }
                });
          }
          if (only.contains("relay")) {
            settle(sut, smoke);
            PhaseLog.run("phase: relay", () -> chats.relay(BOOK));
          }
          if (only.contains("worker")) {
            settle(sut, smoke);
            PhaseLog.run(
                "phase: concurrent chats in one worker", () -> chats.workerConcurrency(BOOK));
          }
          if (only.contains("open")) {
            settle(sut, smoke);
            PhaseLog.run("phase: open streams", () -> chats.openStreams(BOOK));
          }
        }
      }
    } finally {
      report.load("end");
      var logged = LoggedProblems.of(logsOfThisRun(out, runStarted));
      if (logged.errors() > 0) {
        System.out.printf(
            "bench: the services logged %,d lines at ERROR; see latest.md%n", logged.errors());
      }
      report.logged(logged);
      report.write(out, String.join(" ", jvm));
      deleteQuietly(dataDir);
    }
    return report;
  }

  /**
   * The services' logs this run wrote: the launcher's, and the question check's two instances' when
   * that phase ran (an earlier run's are left in the directory otherwise).
   */
  private static List<Path> logsOfThisRun(Path out, long runStarted) {
    var logs = new ArrayList<Path>();
    for (var name : SERVICE_LOGS) {
      var log = out.resolve(name);
      try {
        if (Files.isRegularFile(log) && Files.getLastModifiedTime(log).toMillis() >= runStarted) {
          logs.add(log);
        }
      } catch (IOException e) {
        System.err.println("bench: could not read " + log + ": " + e.getMessage());
      }
    }
    return logs;
  }

  /** Before each phase: the previous one's aftermath is not measured as part of it. */
  private static void settle(SystemUnderTest sut, boolean smoke) throws InterruptedException {
    settle(sut.processes(), smoke);
  }

  private static void settle(Map<String, ProcessHandle> processes, boolean smoke)
      throws InterruptedException {
    // The smoke run measures nothing: it only must not wait long.
    double waited = Settle.await(processes, smoke ? Duration.ofSeconds(4) : Duration.ofSeconds(90));
    if (waited > 3) {
      System.out.printf("bench: waited %.0f s for the system to go quiet%n", waited);
    }
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
