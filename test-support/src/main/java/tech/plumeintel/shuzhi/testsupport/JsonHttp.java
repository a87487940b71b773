package tech.plumeintel.shuzhi.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small JSON client over real HTTP, for tests that talk to a service as the mini-program does.
 */
public final class JsonHttp {

  /** An answer: status, headers, and the body (parsed when it is JSON). */
  public record Answer(int status, HttpHeaders headers, String body) {
    public JsonNode json() {
      return MAPPER.readTree(body);
    }

    public @Nullable String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  public JsonHttp(URI base) {
    this.base = base;
  }

  public JsonHttp(int port) {
    this(URI.create("http://127.0.0.1:" + port));
  }

  public URI base() {
    return base;
  }

  public Answer get(String path, @Nullable String token) {
    return send("GET", path, null, token, Map.of());
  }

  public Answer post(String path, @Nullable Object body, @Nullable String token) {
    return send("POST", path, body, token, Map.of());
  }

  public Answer put(String path, @Nullable Object body, @Nullable String token) {
    return send("PUT", path, body, token, Map.of());
  }

  public Answer delete(String path, @Nullable String token) {
    return send("DELETE", path, null, token, Map.of());
  }

  /**
   * @param body a String is sent as is (so tests can send broken JSON); anything else as JSON
   */
  public Answer send(
      String method,
      String path,
      @Nullable Object body,
      @Nullable String token,
      Map<String, String> headers) {
    var builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    headers.forEach(builder::header);
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      var text = body instanceof String s ? s : MAPPER.writeValueAsString(body);
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(text));
    }
    try {
      var response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.headers(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
