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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
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
    /**
     * The chunks as {@code data:} events, {@code delay} apart, then {@code [DONE]}, and the body's
     * end {@code delay} later (a real upstream's end of body can come in a packet of its own).
     */
    record Replay(List<String> chunks, Duration delay) implements Behaviour {}

    /** The chunks, then the connection ends without {@code [DONE]}: a stream cut mid-way. */
    record Cut(List<String> chunks) implements Behaviour {}

    /** The first {@code chunks} events, then keep-alive comments until the client goes away. */
    record Stall(List<String> chunks) implements Behaviour {}

    /** No answer at all, not even headers, until the stand-in stops: a queue that never moves. */
    record Hang() implements Behaviour {}

    /** An error answer. */
    record Status(int code, String contentType, String body) implements Behaviour {}

    /**
     * An error answer whose body never ends: a kilobyte of an HTML page every 10 ms until the
     * client goes away, as a gateway's error page through a slow or broken proxy.
     */
    record EndlessError(int code) implements Behaviour {}

    /**
     * An answer generated here, three characters a chunk, {@code delay} apart: thinking, then
     * content, then the finish, the usage (with DeepSeek's cache hit and miss counts) and {@code
     * [DONE]}. Aware of DeepSeek's chat prefix completion: a request whose last message is an
     * {@code assistant} one with {@code "prefix": true} gets only the content after that prefix (no
     * thinking), and a {@code 400} if the prefix is not the start of the content. With {@code
     * cutAfter} ≥ 0 the connection closes after that many characters (thinking and content) of this
     * response, without a finish: an upstream that drops mid-answer.
     */
    record Answer(String model, String reasoning, String content, int cutAfter, Duration delay)
        implements Behaviour {
      public static Answer of(String model, String reasoning, String content) {
        return new Answer(model, reasoning, content, -1, Duration.ofMillis(2));
      }

      public Answer cutAfter(int characters) {
        return new Answer(model, reasoning, content, characters, delay);
      }
    }
  }

  /** One request as received, and the client's end of the connection it came on. */
  public record Recorded(String path, String authorization, JsonNode body, InetSocketAddress from) {
    /** The last user message. */
    public String question() {
      var messages = body.path("messages");
      for (int i = messages.size() - 1; i >= 0; i--) {
        if (messages.path(i).path("role").asString().equals("user")) {
          return messages.path(i).path("content").asString();
        }
      }
      return "";
    }

    /** The text a chat prefix completion asks to continue, or null for an ordinary request. */
    public @Nullable String prefix() {
      var messages = body.path("messages");
      var last = messages.path(messages.size() - 1);
      return last.path("role").asString().equals("assistant") && last.path("prefix").asBoolean()
          ? last.path("content").asString()
          : null;
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpServer server;
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final Map<String, List<Behaviour>> behaviours = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
  private final Map<String, Integer> refused = new ConcurrentHashMap<>();
  private final Map<String, Long> closedAt = new ConcurrentHashMap<>();
  private final Behaviour fallback;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private OpenAiStandIn(Behaviour fallback) throws IOException {
    this.fallback = fallback;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/chat/completions", this::handle);
    // DeepSeek's beta features, chat prefix completion among them.
    server.createContext("/beta/chat/completions", this::handle);
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
    when(marker, List.of(behaviour));
  }

  /**
   * Requests with the marker get these behaviours in turn, the last one again once they run out: a
   * 503 then an answer, an answer cut short then its continuation.
   */
  public void when(String marker, List<Behaviour> inTurn) {
    turns.put(marker, new AtomicInteger());
    behaviours.put(marker, List.copyOf(inTurn));
  }

  /** Requests with this key are answered with this status (a refused key, a spent balance). */
  public void refuseKey(String key, int status) {
    refused.put("Bearer " + key, status);
  }

  /** Requests that came with this key as their bearer token. */
  public List<Recorded> requestsWithKey(String key) {
    return requests.stream().filter(r -> r.authorization().equals("Bearer " + key)).toList();
  }

  public List<Recorded> requests() {
    return List.copyOf(requests);
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
              exchange.getRequestURI().getPath(),
              String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
              body,
              exchange.getRemoteAddress());
      requests.add(recorded);
      var marker = behaviours.keySet().stream().filter(recorded.question()::contains).findFirst();
      var behaviour =
          marker
              .map(
                  m -> {
                    var inTurn = behaviours.get(m);
                    int turn = turns.get(m).getAndIncrement();
                    return inTurn.get(Math.min(turn, inTurn.size() - 1));
                  })
              .orElse(fallback);
      var refusal = refused.get(recorded.authorization());
      if (refusal != null) {
        behaviour =
            new Behaviour.Status(
                refusal,
                "application/json",
                "{\"error\":{\"message\":\"refused\",\"type\":\"authentication_error\"}}");
      }
      switch (behaviour) {
        case Behaviour.Status status -> {
          var bytes = status.body().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", status.contentType());
          exchange.sendResponseHeaders(status.code(), bytes.length);
          exchange.getResponseBody().write(bytes);
        }
        case Behaviour.EndlessError error -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html");
          exchange.sendResponseHeaders(error.code(), 0);
          var filler = ("<p>" + "x".repeat(1017) + "</p>\n").getBytes(StandardCharsets.US_ASCII);
          try {
            while (true) {
              exchange.getResponseBody().write(filler);
              exchange.getResponseBody().flush();
              pause(Duration.ofMillis(10));
            }
          } catch (IOException closed) {
            closedAt.put(marker.orElse(""), System.nanoTime());
          }
        }
        case Behaviour.Replay replay -> {
          var out = startStream(exchange);
          for (var chunk : replay.chunks()) {
            event(out, "data: " + chunk);
            pause(replay.delay());
          }
          event(out, "data: [DONE]");
          pause(replay.delay());
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
        case Behaviour.Answer answer -> answer(exchange, answer, recorded.prefix());
        case Behaviour.Stall stall -> {
          // A client may close before the first chunks are written (a request aborted at once).
          try {
            var out = startStream(exchange);
            for (var chunk : stall.chunks()) {
              event(out, "data: " + chunk);
            }
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

  private static void answer(
      HttpExchange exchange, Behaviour.Answer answer, @Nullable String prefix) throws IOException {
    if (prefix != null && !answer.content().startsWith(prefix)) {
      var bytes =
          "{\"error\":{\"message\":\"prefix is not this answer's\",\"type\":\"invalid_request_error\"}}"
              .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(400, bytes.length);
      exchange.getResponseBody().write(bytes);
      return;
    }
    var out = startStream(exchange);
    int budget = answer.cutAfter() < 0 ? Integer.MAX_VALUE : answer.cutAfter();
    int sent = 0;
    var pieces = new ArrayList<Map.Entry<String, String>>();
    if (prefix == null) {
      pieces(answer.reasoning()).forEach(p -> pieces.add(Map.entry("reasoning_content", p)));
    }
    pieces(answer.content().substring(prefix == null ? 0 : prefix.length()))
        .forEach(p -> pieces.add(Map.entry("content", p)));
    for (var piece : pieces) {
      if (sent + piece.getValue().length() > budget) {
        return;
      }
      sent += piece.getValue().length();
      event(out, "data: " + chunk(answer.model(), Map.of(piece.getKey(), piece.getValue()), null));
      pause(answer.delay());
    }
    event(out, "data: " + chunk(answer.model(), Map.of(), "stop"));
    var usage =
        Map.of(
            "prompt_tokens", 100,
            "completion_tokens", sent,
            "total_tokens", 100 + sent,
            "prompt_cache_hit_tokens", 64,
            "prompt_cache_miss_tokens", 36);
    event(
        out,
        "data: "
            + JSON.writeValueAsString(
                Map.of(
                    "id",
                    "stand-in",
                    "object",
                    "chat.completion.chunk",
                    "model",
                    answer.model(),
                    "choices",
                    List.of(),
                    "usage",
                    usage)));
    event(out, "data: [DONE]");
  }

  private static String chunk(String model, Map<String, String> delta, @Nullable String finish) {
    var choice = new LinkedHashMap<String, Object>();
    choice.put("index", 0);
    choice.put("delta", delta);
    choice.put("finish_reason", finish);
    return JSON.writeValueAsString(
        Map.of(
            "id",
            "stand-in",
            "object",
            "chat.completion.chunk",
            "model",
            model,
            "choices",
            List.of(choice)));
  }

  /** Three code points at a time, so no surrogate pair is split. */
  private static List<String> pieces(String text) {
    var pieces = new ArrayList<String>();
    int start = 0;
    while (start < text.length()) {
      int end =
          text.offsetByCodePoints(start, Math.min(3, text.codePointCount(start, text.length())));
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
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
