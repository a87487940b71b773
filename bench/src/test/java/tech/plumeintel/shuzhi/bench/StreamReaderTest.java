package tech.plumeintel.shuzhi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.ConcurrentHistogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bench's stream reader against a real HTTP server over loopback: lines cut across chunk and
 * read boundaries reach the stream whole, and a response that is not a stream fails it.
 */
class StreamReaderTest {

  private HttpServer server;
  private StreamReader reader;
  private final AtomicReference<String> requestSeen = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/stream",
        exchange -> {
          requestSeen.set(
              exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization")
                  + " "
                  + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
          exchange.sendResponseHeaders(200, 0); // chunked
          try (var out = exchange.getResponseBody()) {
            // Each write is a chunk of its own; the second token's line spans two of them.
            for (var piece :
                List.of(
                    "id: 1\ndata: {\"w[t=" + System.nanoTime() + "] \"}\n\n",
                    "id: 2\ndata: {\"w[t=" + System.nanoTime(),
                    "] 读书\"}\n\nid: 3\ndata: [DONE]\n\n")) {
              out.write(piece.getBytes(StandardCharsets.UTF_8));
              out.flush();
            }
          }
        });
    server.createContext(
        "/limited",
        exchange -> {
          var body = "{\"code\":\"RATE_LIMIT\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(429, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    reader = new StreamReader();
  }

  @AfterEach
  void stop() throws IOException {
    reader.close();
    server.stop(0);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Test
  void readsEveryStampedTokenAndTheEndOfAChunkedStream() throws Exception {
    var latency = new ConcurrentHistogram(3);
    var stream = new ChatStream(System.nanoTime(), latency);

    reader.send(
        uri("/stream"), "POST", Map.of("Authorization", "Bearer t"), "{\"q\":\"问\"}", stream);
    stream.ended.get(10, TimeUnit.SECONDS);

    assertThat(requestSeen.get()).isEqualTo("POST Bearer t {\"q\":\"问\"}");
    assertThat(stream.failed).isFalse();
    assertThat(stream.done).isTrue();
    assertThat(stream.tokens).isEqualTo(2);
    assertThat(latency.getTotalCount()).isEqualTo(2);
    assertThat(stream.headersMicros()).isNotNegative();
  }

  @Test
  void failsAStreamAnsweredWithAnError() throws Exception {
    var stream = new ChatStream(System.nanoTime(), null);

    reader.send(uri("/limited"), "GET", Map.of(), null, stream);
    stream.ended.get(10, TimeUnit.SECONDS);

    assertThat(stream.failed).isTrue();
    assertThat(stream.headersMicros()).isEqualTo(-1);
  }

  @Test
  void failsAStreamWhoseServerIsNotThere() throws Exception {
    var port = server.getAddress().getPort();
    server.stop(0);
    var stream = new ChatStream(System.nanoTime(), null);

    reader.send(URI.create("http://127.0.0.1:" + port + "/stream"), "GET", Map.of(), null, stream);
    stream.ended.get(10, TimeUnit.SECONDS);

    assertThat(stream.failed).isTrue();
  }
}
