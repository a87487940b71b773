package tech.plumeintel.shuzhi.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link LlmStandIn} in a child JVM. Its token stamps stay comparable with this JVM's {@link
 * System#nanoTime()}: on Linux both read the one system-wide monotonic clock.
 */
final class LlmStandInProcess implements AutoCloseable {

  private final Process process;
  private final URI baseUrl;
  private final HttpClient http = HttpClient.newHttpClient();

  LlmStandInProcess() throws IOException {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var classpath = System.getProperty("java.class.path");
    process =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx1g",
                    "-XX:+UseSerialGC",
                    "-cp",
                    classpath,
                    LlmStandIn.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    var reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    var port = reader.readLine();
    if (port == null) {
      throw new IOException("the LLM stand-in did not start");
    }
    baseUrl = URI.create("http://127.0.0.1:" + port.trim());
  }

  URI baseUrl() {
    return baseUrl;
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  int openAnswers() {
    try {
      return Integer.parseInt(
          http.send(
                  HttpRequest.newBuilder(baseUrl.resolve("/open")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // Destroyed below either way.
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
