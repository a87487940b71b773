package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the three services, run from its executable jar in the {@code local} profile, where (and
 * only where, without credentials) its offline stand-ins are active.
 *
 * @param jarName the runnable jar's name in the launcher's {@code services/} directory
 * @param ports the service's own port settings, as environment variables
 */
record LocalService(String name, String jarName, int managementPort, Map<String, String> ports) {

  /**
   * Small heaps and a quick JIT: three services and a broker share a developer's laptop. G1, as the
   * image runs: the serial collector's stop-the-world young pauses held streams' tokens for up to a
   * second (the bench's 2,000-chat phase).
   */
  private static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-Xmx384m", "-XX:+UseG1GC", "-XX:TieredStopAtLevel=1");

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  static List<LocalService> all(LocalOptions options) {
    return List.of(
        new LocalService(
            "api-service",
            "api-service-exec.jar",
            options.apiManagementPort(),
            Map.of(
                "SERVER_PORT",
                Integer.toString(options.apiPort()),
                "MANAGEMENT_SERVER_PORT",
                Integer.toString(options.apiManagementPort()))),
        new LocalService(
            "fetch-worker",
            "fetch-worker-exec.jar",
            options.fetchWorkerPort(),
            Map.of("SERVER_PORT", Integer.toString(options.fetchWorkerPort()))),
        new LocalService(
            "chat-worker",
            "chat-worker-exec.jar",
            options.chatWorkerPort(),
            Map.of("SERVER_PORT", Integer.toString(options.chatWorkerPort()))));
  }

  URI healthUri() {
    return URI.create("http://127.0.0.1:" + managementPort + "/actuator/health");
  }

  /**
   * Runs in the data directory, so whatever a service writes to its working directory stays there.
   */
  ChildProcess start(
      Path servicesDir, Path dataDir, Map<String, String> infrastructure, Console console) {
    var jar = servicesDir.resolve(jarName);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: build first with "
              + "./mvnw -B -DskipTests package -pl local -am (./local/run does this)");
    }
    var environment = new HashMap<>(infrastructure);
    environment.putAll(ports);
    // The second key to the offline stand-ins (login by any code, the offline answerer), besides
    // the local profile below; the services use them only where credentials are missing.
    environment.put("SHUZHI_OFFLINE_STANDINS", "true");
    environment.putAll(logFormat(System.getenv("SHUZHI_LOG_FORMAT")));
    return ChildProcess.start(
        name,
        Jvm.jar(jvmOptions(), jar, "--spring.profiles.active=local"),
        environment,
        dataDir,
        console);
  }

  /**
   * Readable lines in a terminal; the JSON (ECS) that production writes with {@code
   * SHUZHI_LOG_FORMAT=json}. An empty structured format is Boot's plain pattern.
   */
  static Map<String, String> logFormat(String requested) {
    return "json".equalsIgnoreCase(requested)
        ? Map.of()
        : Map.of("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
  }

  /** {@code SHUZHI_LOCAL_JAVA_OPTS} replaces the default options, e.g. to attach a debugger. */
  private static List<String> jvmOptions() {
    return Jvm.options("SHUZHI_LOCAL_JAVA_OPTS", DEFAULT_JVM_OPTIONS);
  }

  /** True when the service's health endpoint answers 200 with status UP. */
  boolean isUp() throws InterruptedException {
    var request = HttpRequest.newBuilder(healthUri()).timeout(Duration.ofSeconds(3)).GET().build();
    try {
      var response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && response.body().contains("\"UP\"");
    } catch (IOException notYet) {
      return false;
    }
  }
}
