package tech.plumeintel.shuzhi.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.hc.client5.http.HttpRequestRetryStrategy;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.util.TimeValue;

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

  private static final String ROUND_TRIP =
      "/wxa/msg_sec_check?access_token=bench-access-token&bench=round-trip";
  private static final byte[] QUESTION =
      "{\"version\":2,\"openid\":\"bench\",\"scene\":2,\"content\":\"这本书讲了什么？\"}"
          .getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  // The services' client for WeChat (platform's WechatServerApi), retrying as it does a kept-alive
  // connection the server closed unanswered: a round trip costs what it costs them.
  private final CloseableHttpClient client =
      HttpClients.custom()
          .setRetryStrategy(
              new HttpRequestRetryStrategy() {
                @Override
                public boolean retryRequest(
                    HttpRequest request, IOException failure, int execCount, HttpContext context) {
                  return failure instanceof NoHttpResponseException && execCount <= 3;
                }

                @Override
                public boolean retryRequest(
                    HttpResponse response, int execCount, HttpContext context) {
                  return false;
                }

                @Override
                public TimeValue getRetryInterval(
                    HttpResponse response, int execCount, HttpContext context) {
                  return TimeValue.ZERO_MILLISECONDS;
                }
              })
          .build();
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
          if (exchange.getRequestURI().getQuery() == null
              || !exchange.getRequestURI().getQuery().contains("bench=round-trip")) {
            checks.incrementAndGet();
          }
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
   * {@code count} {@code msg_sec_check} round trips back to back (in microseconds), with the client
   * the services use; they also warm it for {@link #roundTrip}.
   */
  Histogram roundTrips(int count) {
    var histogram = new Histogram(3);
    for (int i = 0; i < count; i++) {
      roundTrip(histogram);
    }
    return histogram;
  }

  /**
   * One {@code msg_sec_check} round trip, recorded in microseconds: the least a check can add to a
   * question's wait. Not counted among {@link #checks()}.
   */
  void roundTrip(Histogram into) {
    var request = new HttpPost(baseUrl().resolve(ROUND_TRIP));
    request.setEntity(new ByteArrayEntity(QUESTION, ContentType.APPLICATION_JSON));
    long started = System.nanoTime();
    try {
      client.execute(request, response -> EntityUtils.toByteArray(response.getEntity()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    into.recordValue((System.nanoTime() - started) / 1_000);
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
    try {
      client.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.stop(0);
  }
}
