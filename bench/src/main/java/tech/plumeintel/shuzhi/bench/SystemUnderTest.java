package tech.plumeintel.shuzhi.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The system as {@code ./local/run} starts it: the launcher jar in a child JVM, on free ports and a
 * fresh data directory, its services pointed at the stand-ins. Its output goes to a log file.
 */
final class SystemUnderTest implements AutoCloseable {

  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  /**
   * The broker as docker-compose.yml runs it: the apache/kafka image's JVM options (Kafka's own
   * {@code KAFKA_JVM_PERFORMANCE_OPTS}) with the compose file's heap. The local run's default (the
   * serial collector and the first JIT tier only, for a developer's machine) made every Kafka hop
   * slower than a deployment's, the floor measured beside it included.
   */
  static final List<String> KAFKA_JVM_OPTIONS =
      List.of(
          "-Xms512m",
          "-Xmx512m",
          "-XX:+UseG1GC",
          "-XX:MaxGCPauseMillis=20",
          "-XX:InitiatingHeapOccupancyPercent=35",
          "-XX:+ExplicitGCInvokesConcurrent",
          "-XX:MaxInlineLevel=15",
          "-Djava.awt.headless=true");

  private final Process launcher;
  private final Map<String, ProcessHandle> alsoWatched = new LinkedHashMap<>();
  final int apiPort;
  final int apiManagementPort;
  final int chatWorkerPort;
  final int kafkaPort;
  final int mongoPort;
  final int redisPort;

  private SystemUnderTest(Process launcher, Map<String, Integer> ports) {
    this.launcher = launcher;
    this.apiPort = ports.get("api-port");
    this.apiManagementPort = ports.get("api-management-port");
    this.chatWorkerPort = ports.get("chat-worker-port");
    this.kafkaPort = ports.get("kafka-port");
    this.mongoPort = ports.get("mongo-port");
    this.redisPort = ports.get("redis-port");
  }

  static SystemUnderTest start(
      Path launcherJar,
      Path dataDir,
      Path log,
      Map<String, String> env,
      List<String> serviceJvmOptions,
      Duration timeout)
      throws IOException, InterruptedException {
    var names =
        List.of(
            "api-port",
            "api-management-port",
            "fetch-worker-port",
            "chat-worker-port",
            "kafka-port",
            "kafka-controller-port",
            "redis-port",
            "mongo-port");
    var ports = new LinkedHashMap<String, Integer>();
    for (var name : names) {
      ports.put(name, freePort());
    }
    var command =
        new ArrayList<>(
            List.of(
                JAVA.toString(),
                "-Xmx256m",
                "-jar",
                launcherJar.toAbsolutePath().toString(),
                "--data-dir=" + dataDir.toAbsolutePath(),
                "--startup-timeout=" + timeout.toSeconds()));
    ports.forEach((name, port) -> command.add("--" + name + "=" + port));
    var builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put("SHUZHI_LOCAL_JAVA_OPTS", String.join(" ", serviceJvmOptions));
    builder.environment().put("SHUZHI_LOCAL_KAFKA_JAVA_OPTS", String.join(" ", KAFKA_JVM_OPTIONS));
    Files.createDirectories(log.getParent());
    var process = builder.start();
    process.getOutputStream().close();
    var ready = new CountDownLatch(1);
    Thread.ofPlatform()
        .daemon()
        .name("sut-log")
        .start(
            () -> {
              try (var reader =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  var out = new PrintWriter(Files.newBufferedWriter(log), true)) {
                for (String line; (line = reader.readLine()) != null; ) {
                  out.println(line);
                  if (line.contains("Shuzhi is running")) {
                    ready.countDown();
                  }
                }
              } catch (IOException e) {
                // The launcher is gone; start() reports it.
              }
            });
    var sut = new SystemUnderTest(process, ports);
    long deadline = System.nanoTime() + timeout.plusSeconds(30).toNanos();
    while (!ready.await(500, TimeUnit.MILLISECONDS)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        sut.close();
        throw new IllegalStateException("the system did not start; see " + log);
      }
    }
    return sut;
  }

  /** The broker's address, for Kafka's own latency tool. */
  String kafkaBootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  /** The Mongo-wire store the services use. */
  String mongoUri() {
    return "mongodb://127.0.0.1:" + mongoPort + "/shuzhi";
  }

  /**
   * What the launcher tells its services about the stores (see {@code LocalRun}), for a service the
   * bench starts beside them; the signing key is the bench's own, given to the launcher too.
   */
  Map<String, String> storesForAnotherService() {
    return Map.of(
        "SPRING_KAFKA_BOOTSTRAP_SERVERS",
        kafkaBootstrap(),
        "SPRING_DATA_REDIS_URL",
        "redis://127.0.0.1:" + redisPort,
        "SPRING_DATA_MONGODB_URI",
        mongoUri(),
        "SHUZHI_PLATFORM_MONGO_PING_HEALTH",
        "true",
        "SHUZHI_OFFLINE_STANDINS",
        "true");
  }

  URI api() {
    return URI.create("http://127.0.0.1:" + apiPort);
  }

  /** The launcher and everything it started, by role, for CPU and heap readings. */
  Map<String, ProcessHandle> processes() {
    var byRole = new LinkedHashMap<String, ProcessHandle>();
    byRole.put("launcher + Mongo-wire", launcher.toHandle());
    launcher
        .descendants()
        .forEach(
            child -> {
              var line =
                  String.join(" ", child.info().arguments().map(List::of).orElse(List.of()))
                      + " "
                      + child.info().command().orElse("");
              String role =
                  line.contains("api-service-exec.jar")
                      ? "api-service"
                      : line.contains("fetch-worker-exec.jar")
                          ? "fetch-worker"
                          : line.contains("chat-worker-exec.jar")
                              ? "chat-worker"
                              : line.contains("KafkaBrokerMain")
                                  ? "kafka"
                                  : line.contains("RedisServerMain")
                                      ? "redis keeper JVM"
                                      : line.contains("redis-server")
                                              || child.info().command().orElse("").contains("redis")
                                          ? "redis-server"
                                          : "other " + child.pid();
              byRole.put(role, child);
            });
    byRole.putAll(alsoWatched);
    return byRole;
  }

  /** A process of the bench's own (a stand-in) whose CPU is reported with the system's. */
  void alsoWatch(String role, ProcessHandle process) {
    alsoWatched.put(role, process);
  }

  ProcessHandle process(String role) {
    var handle = processes().get(role);
    if (handle == null) {
      throw new IllegalStateException(role + " is not running");
    }
    return handle;
  }

  /** Heap in use after a full collection, read from the service's own metrics. */
  long liveHeapBytes(String role, int managementPort) throws IOException, InterruptedException {
    var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    var gc =
        new ProcessBuilder(jcmd, Long.toString(process(role).pid()), "GC.run")
            .redirectErrorStream(true)
            .start();
    gc.getInputStream().readAllBytes();
    if (!gc.waitFor(120, TimeUnit.SECONDS)) {
      gc.destroyForcibly();
    }
    return (long) metricSum(managementPort, "jvm_memory_used_bytes", "area=\"heap\"");
  }

  /** A value from a service's Prometheus page (the first sample of that name), or -1. */
  double metric(int managementPort, String name) throws IOException, InterruptedException {
    var metrics = prometheus(managementPort);
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  /** The sum of a service's Prometheus samples of that name whose labels contain all of these. */
  double metricSum(int managementPort, String name, String... labels)
      throws IOException, InterruptedException {
    var metrics = prometheus(managementPort);
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + "{"))
        .filter(line -> Arrays.stream(labels).allMatch(line::contains))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  /** A service's Prometheus page. */
  private static String prometheus(int managementPort) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Override
  public void close() throws InterruptedException {
    var children = launcher.descendants().toList();
    launcher.destroy();
    if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
      children.forEach(ProcessHandle::destroyForcibly);
      launcher.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A loopback port free a moment ago, for a process the bench starts, and not handed out before: a
   * port closed at once is free again, and the kernel gave the same one twice in a row once (the
   * launcher refused to start: "Port 45801 is given to both api-service management and Kafka").
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        if (HANDED_OUT.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
    throw new IOException("no free loopback port that was not handed out already");
  }
}
