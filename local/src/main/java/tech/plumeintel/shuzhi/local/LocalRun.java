package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the whole system on this machine: Mongo-wire store, Redis, Kafka, then the three services;
 * waits until each reports UP, and stops everything it started on Ctrl-C or SIGTERM. Children also
 * end by themselves if this launcher is killed outright (they watch its pid).
 */
public final class LocalRun {

  /** Printed once everything is UP; tests and scripts wait for it. */
  static final String READY = "Shuzhi is running";

  private static final Duration SERVICE_GRACE = Duration.ofSeconds(40);
  private static final Duration STORE_GRACE = Duration.ofSeconds(20);

  private final LocalOptions options;
  private final Console console;
  private final AtomicBoolean stopping = new AtomicBoolean();
  // Read by the shutdown hook while start() may still be adding to it.
  private final List<ChildProcess> services = new CopyOnWriteArrayList<>();
  private volatile LocalMongo mongo;
  private volatile ChildProcess redis;
  private volatile ChildProcess kafka;

  private LocalRun(LocalOptions options, Console console) {
    this.options = options;
    this.console = console;
  }

  public static void main(String[] args) throws InterruptedException {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      System.out.print(LocalOptions.USAGE);
      return;
    }
    LocalOptions options;
    try {
      options = LocalOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    var run = new LocalRun(options, new Console(System.out));
    Runtime.getRuntime()
        .addShutdownHook(Thread.ofPlatform().name("local-stop").unstarted(run::stop));
    try {
      run.start();
    } catch (Exception e) {
      run.console.info("Start-up failed: " + (e.getMessage() != null ? e.getMessage() : e));
      System.exit(1);
    }
    run.superviseUntilAChildDies();
    System.exit(1);
  }

  private void start() throws Exception {
    long started = System.nanoTime();
    options.requirePortsFree();
    Files.createDirectories(options.dataDir());
    console.info("Data in " + options.dataDir());

    mongo = new LocalMongo(options.dataDir(), options.mongoPort());
    redis =
        ChildProcess.start(
            "redis",
            Jvm.main(
                List.of("-Xmx32m", "-XX:+UseSerialGC"),
                RedisServerMain.class.getName(),
                Integer.toString(options.redisPort())),
            Map.of(),
            options.dataDir(),
            console);
    var localKafka =
        new LocalKafka(options.dataDir(), options.kafkaPort(), options.kafkaControllerPort());
    kafka = localKafka.start(console);
    long deadline = System.nanoTime() + options.startupTimeout().toNanos();
    Ports.awaitListening(options.redisPort(), redis, deadline);
    localKafka.awaitReadyAndCreateTopics(kafka, options.startupTimeout());
    console.info("Stores up in " + seconds(started) + " s; starting the services");

    var infrastructure = new LinkedHashMap<String, String>();
    infrastructure.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", localKafka.bootstrapServers());
    infrastructure.put("SPRING_DATA_REDIS_URL", "redis://127.0.0.1:" + options.redisPort());
    infrastructure.put("SPRING_DATA_MONGODB_URI", mongo.uri());
    // The Mongo-wire store does not know Boot's health command (`hello`).
    infrastructure.put("SHUZHI_PLATFORM_MONGO_PING_HEALTH", "true");
    if (System.getenv("SHUZHI_JWT_SECRET") == null) {
      infrastructure.put("SHUZHI_JWT_SECRET", DevJwtSecret.of(options.dataDir()));
    }
    var servicesDir = servicesDirectory();
    var all = LocalService.all(options);
    for (var service : all) {
      services.add(service.start(servicesDir, options.dataDir(), infrastructure, console));
    }
    awaitUp(all, deadline);
    printWhereThingsAre(started);
  }

  private void awaitUp(List<LocalService> all, long deadline) throws InterruptedException {
    var waiting = new ArrayList<>(all);
    while (!waiting.isEmpty()) {
      for (var child : services) {
        if (!child.isAlive()) {
          throw new IllegalStateException(
              child.name()
                  + " exited with code "
                  + child.exitValue()
                  + " during start-up (see its log above)");
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "not UP within "
                + options.startupTimeout().toSeconds()
                + " s: "
                + waiting.stream().map(s -> s.name() + " (" + s.healthUri() + ")").toList());
      }
      for (var iterator = waiting.iterator(); iterator.hasNext(); ) {
        if (iterator.next().isUp()) {
          iterator.remove();
        }
      }
      Thread.sleep(250);
    }
  }

  private void printWhereThingsAre(long started) {
    console.info("");
    console.info(READY + " (ready in " + seconds(started) + " s). Ctrl-C stops everything.");
    console.info("  API            http://localhost:" + options.apiPort());
    console.info("  Swagger UI     http://localhost:" + options.apiPort() + "/swagger-ui.html");
    console.info(
        "  api-service    http://localhost:" + options.apiManagementPort() + "/actuator/health");
    console.info(
        "  fetch-worker   http://localhost:" + options.fetchWorkerPort() + "/actuator/health");
    console.info(
        "  chat-worker    http://localhost:" + options.chatWorkerPort() + "/actuator/health");
    console.info(
        "  Kafka          127.0.0.1:" + options.kafkaPort() + "  topics " + LocalKafka.TOPICS);
    console.info("  Redis          redis://127.0.0.1:" + options.redisPort());
    console.info("  MongoDB (wire) " + mongo.uri());
    console.info("");
  }

  /** Returns when a child ended by itself: the run is then incomplete, so it all stops. */
  private void superviseUntilAChildDies() throws InterruptedException {
    while (true) {
      var all = new ArrayList<>(services);
      all.add(kafka);
      all.add(redis);
      for (var child : all) {
        if (!child.isAlive() && !stopping.get()) {
          console.info(
              child.name() + " exited with code " + child.exitValue() + "; stopping everything.");
          return;
        }
      }
      Thread.sleep(500);
    }
  }

  /** Services first (they still talk to the stores while draining), then Kafka, Redis, Mongo. */
  private void stop() {
    if (!stopping.compareAndSet(false, true) || mongo == null) {
      return; // stopped already, or nothing was started
    }
    console.info("Stopping...");
    services.forEach(ChildProcess::requestStop);
    services.forEach(child -> child.stop(SERVICE_GRACE));
    for (var store : new ChildProcess[] {kafka, redis}) {
      if (store != null) {
        store.stop(STORE_GRACE);
      }
    }
    if (mongo != null) {
      mongo.close();
    }
    // Anything a child started and left behind (none expected) goes too.
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    console.info("Stopped; nothing left running.");
  }

  /** Next to the launcher's jar: target/services/, where the build copies the runnable jars. */
  private static Path servicesDirectory() throws URISyntaxException, IOException {
    var location =
        Path.of(LocalRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return location.toAbsolutePath().getParent().resolve("services");
  }

  private static String seconds(long startedNanos) {
    return String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9);
  }
}
