package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the launcher jar as a user would, twice, on free ports and a fresh data directory. */
class LocalRunIT {

  private static final Path LAUNCHER =
      Path.of(System.getProperty("shuzhi.local.jar", "target/shuzhi-local.jar"));
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Process> launched = new ArrayList<>();

  @TempDir Path dataDir;

  @Test
  void runsEverythingKeepsMongoDataAcrossARestartAndLeavesNoProcessBehind() throws Exception {
    var ports = Ports.pick();

    var first = launch(ports, "first");
    assertAllServicesUp(ports);
    assertThat(httpStatus("http://127.0.0.1:" + ports.api() + "/api/books/9787536025080/"))
        .as("the API answers on its port")
        .isBetween(200, 499);
    try (var admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + ports.kafka()))) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS))
          .containsAll(LocalKafka.TOPICS);
    }
    try (var mongo = MongoClients.create("mongodb://127.0.0.1:" + ports.mongo())) {
      mongo
          .getDatabase("shuzhi")
          .getCollection("local_run_it")
          .insertOne(new Document("_id", "9787536025080").append("title", "黄金时代"));
    }
    var firstChildren = first.descendants().toList();
    assertThat(firstChildren)
        .hasSizeGreaterThanOrEqualTo(6); // redis keeper + redis, kafka, 3 services

    first.destroy(); // SIGTERM
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("launcher stopped").isTrue();
    assertThat(firstChildren).noneMatch(ProcessHandle::isAlive);

    var second = launch(ports, "second");
    try (var mongo = MongoClients.create("mongodb://127.0.0.1:" + ports.mongo())) {
      var kept =
          mongo
              .getDatabase("shuzhi")
              .getCollection("local_run_it")
              .find(new Document("_id", "9787536025080"))
              .first();
      assertThat(kept).isNotNull();
      assertThat(kept.getString("title")).isEqualTo("黄金时代");
    }

    // Killed outright, the launcher runs no hook: its children must notice and end by themselves.
    var secondChildren = second.descendants().toList();
    second.destroyForcibly();
    await()
        .atMost(Duration.ofSeconds(45))
        .untilAsserted(() -> assertThat(secondChildren).noneMatch(ProcessHandle::isAlive));
  }

  private Process launch(Ports ports, String name) throws IOException {
    var log = Path.of("target", "local-run-it-" + name + ".log");
    var process =
        new ProcessBuilder(
                JAVA.toString(),
                "-jar",
                LAUNCHER.toString(),
                "--data-dir=" + dataDir,
                "--api-port=" + ports.api(),
                "--api-management-port=" + ports.apiManagement(),
                "--fetch-worker-port=" + ports.fetchWorker(),
                "--chat-worker-port=" + ports.chatWorker(),
                "--kafka-port=" + ports.kafka(),
                "--kafka-controller-port=" + ports.kafkaController(),
                "--redis-port=" + ports.redis(),
                "--mongo-port=" + ports.mongo())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    launched.add(process);
    await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              assertThat(process.isAlive())
                  .as("launcher alive, see " + log.toAbsolutePath())
                  .isTrue();
              return Files.readString(log).contains(LocalRun.READY);
            });
    return process;
  }

  private void assertAllServicesUp(Ports ports) throws Exception {
    for (int port : new int[] {ports.apiManagement(), ports.fetchWorker(), ports.chatWorker()}) {
      var response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("health on " + port).isEqualTo(200);
      assertThat(response.body()).contains("\"status\":\"UP\"");
    }
  }

  private int httpStatus(String uri) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @AfterEach
  void killWhatIsLeft() {
    for (var process : launched) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private record Ports(
      int api,
      int apiManagement,
      int fetchWorker,
      int chatWorker,
      int kafka,
      int kafkaController,
      int redis,
      int mongo) {

    static Ports pick() throws IOException {
      var ports = new LinkedHashSet<Integer>();
      while (ports.size() < 8) {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          ports.add(socket.getLocalPort());
        }
      }
      var p = ports.stream().mapToInt(Integer::intValue).toArray();
      return new Ports(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
    }
  }
}
