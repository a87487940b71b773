package tech.plumeintel.shuzhi.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * WeChat's server API as far as the question check needs it, answering at once: {@code
 * cgi-bin/stable_token} (one token for two hours) and {@code wxa/msg_sec_check} ({@code pass} for
 * every text). What the check costs then is our side of it plus one local round trip, which {@link
 * #roundTrip} measures beside it.
 */
final class WechatStandIn implements AutoCloseable {

  static final String APP_ID = "wx-bench";
  static final String APP_SECRET = "bench-app-secret";

  private static final byte[] TOKEN =
      "{\"access_token\":\"bench-access-token\",\"expires_in\":7200}"
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] PASS =
      ("{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"suggest\":\"pass\",\"label\":100},"
              + "\"detail\":[{\"strategy\":\"content_model\",\"errcode\":0,\"suggest\":\"pass\","
              + "\"label\":100,\"prob\":90}],\"trace_id\":\"bench\"}")
          .getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final AtomicLong checks = new AtomicLong();
  private final AtomicLong tokens = new AtomicLong();

  WechatStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/cgi-bin/stable_token",
        exchange -> {
          tokens.incrementAndGet();
          reply(exchange, 200, TOKEN);
        });
    server.createContext(
        "/wxa/msg_sec_check",
        exchange -> {
          checks.incrementAndGet();
          reply(exchange, 200, PASS);
        });
    server.createContext("/", exchange -> reply(exchange, 404, "{}".getBytes()));
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The {@code msg_sec_check} calls answered so far. */
  long checks() {
    return checks.get();
  }

  /** The {@code stable_token} calls answered so far. */
  long tokenRequests() {
    return tokens.get();
  }

  /**
   * One {@code msg_sec_check} round trip from a JDK HTTP client on this machine, {@code count}
   * times (in microseconds): the least a check can add to a question's wait.
   */
  Histogram roundTrip(int count) throws IOException, InterruptedException {
    var histogram = new Histogram(3);
    var body = "{\"version\":2,\"openid\":\"bench\",\"scene\":2,\"content\":\"这本书讲了什么？\"}";
    try (var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      var request =
          HttpRequest.newBuilder(
                  baseUrl().resolve("/wxa/msg_sec_check?access_token=bench-access-token"))
              .header("Content-Type", "application/json")
              .timeout(Duration.ofSeconds(5))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      for (int i = 0; i < count; i++) {
        long started = System.nanoTime();
        http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        histogram.recordValue((System.nanoTime() - started) / 1_000);
      }
    }
    checks.addAndGet(-count);
    return histogram;
  }

  private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
