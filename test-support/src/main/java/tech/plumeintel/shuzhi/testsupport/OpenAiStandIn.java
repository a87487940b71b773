package tech.plumeintel.shuzhi.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real OpenAI-compatible HTTP endpoint on a free port: replays a recorded DeepSeek stream with a
 * delay between chunks, or stalls sending only keep-alives, or answers an error status. What it
 * does is chosen by a marker in the request's last user message, so concurrent tests do not mix. It
 * records every request and notices when a client closes a stalled connection.
 */
public final class OpenAiStandIn implements AutoCloseable {

  /** What the stand-in answers. */
  public sealed interface Behaviour {
    /** The chunks as {@code data:} events, {@code delay} apart, then {@code [DONE]}. */
    record Replay(List<String> chunks, Duration delay) implements Behaviour {}

    /** The chunks, then the connection ends without {@code [DONE]}: a stream cut mid-way. */
    record Cut(List<String> chunks) implements Behaviour {}

    /** The first {@code chunks} events, then keep-alive comments until the client goes away. */
    record Stall(List<String> chunks) implements Behaviour {}

    /** No answer at all, not even headers, until the stand-in stops: a queue that never moves. */
    record Hang() implements Behaviour {}

    /** An error answer. */
    record Status(int code, String contentType, String body) implements Behaviour {}
  }

  /** One request as received. */
  public record Recorded(String authorization, JsonNode body) {
    public String question() {
      var messages = body.path("messages");
      return messages.path(messages.size() - 1).path("content").asString();
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpServer server;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Behaviour> behaviours = new ConcurrentHashMap<>();
  private final Map<String, Long> closedAt = new ConcurrentHashMap<>();
  private final Behaviour fallback;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private OpenAiStandIn(Behaviour fallback) throws IOException {
    this.fallback = fallback;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/chat/completions", this::handle);
    server.start();
  }

  public static OpenAiStandIn start(Behaviour fallback) {
    try {
      return new OpenAiStandIn(fallback);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort()).toString();
  }

  /** Requests whose last user message contains the marker get this behaviour. */
  public void when(String marker, Behaviour behaviour) {
    behaviours.put(marker, behaviour);
  }

  public List<Recorded> requestsContaining(String text) {
    return requests.stream().filter(r -> r.question().contains(text)).toList();
  }

  /** When ({@link System#nanoTime()}) the client closed a stalled request with this marker. */
  public Optional<Long> closedAt(String marker) {
    return Optional.ofNullable(closedAt.get(marker));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var body = JSON.readTree(exchange.getRequestBody().readAllBytes());
      var recorded =
          new Recorded(
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")), body);
      requests.add(recorded);
      var marker = behaviours.keySet().stream().filter(recorded.question()::contains).findFirst();
      var behaviour = marker.map(behaviours::get).orElse(fallback);
      switch (behaviour) {
        case Behaviour.Status status -> {
          var bytes = status.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", status.contentType());
          exchange.sendResponseHeaders(status.code(), bytes.length);
          exchange.getResponseBody().write(bytes);
        }
        case Behaviour.Replay replay -> {
          var out = startStream(exchange);
          for (var chunk : replay.chunks()) {
            event(out, "data: " + chunk);
            pause(replay.delay());
          }
          event(out, "data: [DONE]");
        }
        case Behaviour.Hang hang -> {
          try {
            stopped.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        case Behaviour.Cut cut -> {
          var out = startStream(exchange);
          for (var chunk : cut.chunks()) {
            event(out, "data: " + chunk);
          }
        }
        case Behaviour.Stall stall -> {
          var out = startStream(exchange);
          for (var chunk : stall.chunks()) {
            event(out, "data: " + chunk);
          }
          try {
            while (true) {
              // Writing is how a server notices a closed connection; DeepSeek does the same.
              event(out, ": keep-alive");
              pause(Duration.ofMillis(10));
            }
          } catch (IOException closed) {
            closedAt.put(marker.orElse(""), System.nanoTime());
          }
        }
      }
    }
  }

  private static OutputStream startStream(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.sendResponseHeaders(200, 0);
    return exchange.getResponseBody();
  }

  private static void event(OutputStream out, String line) throws IOException {
    out.write((line + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static void pause(Duration delay) {
    if (delay.isZero()) {
      return;
    }
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopped.countDown();
    server.stop(0);
  }
}
