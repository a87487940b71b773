package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One more api-service beside the launcher's, on the same Kafka, Redis and Mongo-wire store and
 * with the same signing key (so the readers' tokens work on it), started from the jar the launcher
 * starts, with settings of its own: two of them, content security off and on, answer chats side by
 * side in one run.
 */
final class AnotherApi implements AutoCloseable {

  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private final Process process;
  private final int port;

  private AnotherApi(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * @param environment the bench's settings, the stores' addresses and this instance's own
   */
  static AnotherApi start(
      Path launcherJar,
      List<String> jvmOptions,
      Map<String, String> environment,
      Path log,
      Duration timeout)
      throws IOException, InterruptedException {
    var jar = launcherJar.toAbsolutePath().getParent().resolve("services/api-service-exec.jar");
    int port = SystemUnderTest.freePort();
    int managementPort = SystemUnderTest.freePort();
    var command = new ArrayList<String>();
    command.add(JAVA.toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString(), "--spring.profiles.active=local"));
    var builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            // Appended: the question check's instances start once per run, and every run's lines
            // are counted (BenchRun removes the last bench's logs first).
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(environment);
    builder.environment().put("SERVER_PORT", Integer.toString(port));
    builder.environment().put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
    // The services stop when the process that started them goes (the launcher does the same).
    builder
        .environment()
        .put("SHUZHI_PLATFORM_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
    builder.environment().put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
    Files.createDirectories(log.getParent());
    var api = new AnotherApi(builder.start(), port);
    var health = URI.create("http://127.0.0.1:" + managementPort + "/actuator/health");
    long deadline = System.nanoTime() + timeout.toNanos();
    try (var http = HttpClient.newHttpClient()) {
      while (!up(http, health)) {
        if (!api.process.isAlive() || System.nanoTime() > deadline) {
          api.close();
          throw new IllegalStateException("another api-service did not start; see " + log);
        }
        Thread.sleep(250);
      }
    }
    return api;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  private static boolean up(HttpClient http, URI health) throws InterruptedException {
    try {
      var response =
          http.send(
              HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("\"UP\"");
    } catch (IOException notYet) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
