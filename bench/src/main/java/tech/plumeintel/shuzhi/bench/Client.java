package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/** What the bench asks of the API (as the mini-program does) and of the stand-in directly. */
final class Client {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          // Responses are handed to their subscribers on the client's selector thread: a hand-off
          // to another thread per token was the load generator's own cost, on the same two cores
          // as the system it measures. What the subscribers do is short and never blocks.
          .executor(Runnable::run)
          .build();
  private final StreamReader streams;
  private final URI api;
  private final URI llm;
  private final List<String> tokens = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  Client(URI api, URI llm) {
    this.api = api;
    this.llm = llm;
    try {
      this.streams = new StreamReader();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Logs in {@code users} readers (the local profile accepts any code), a few at a time: the lookup
   * phases spread their requests over thousands of readers, as the default per-reader limit
   * requires.
   */
  void login(int users) throws InterruptedException {
    var answered = new String[users];
    try (var threads = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < users; i++) {
        int reader = i;
        threads.submit(
            () -> {
              var response =
                  http.send(
                      post(
                          api.resolve("/api/auth/login/wechat/"),
                          "{\"code\":\"bench-" + reader + "\"}",
                          null),
                      HttpResponse.BodyHandlers.ofString());
              if (response.statusCode() != 200) {
                throw new IllegalStateException(
                    "login answered " + response.statusCode() + ": " + response.body());
              }
              answered[reader] = JSON.readTree(response.body()).path("token").asString();
              return null;
            });
      }
    }
    for (var token : answered) {
      if (token == null) {
        throw new IllegalStateException("a reader could not log in; see the system log");
      }
      tokens.add(token);
    }
  }

  /** The API's address. */
  URI api() {
    return api;
  }

  /** The logged-in readers' tokens, in login order. */
  List<String> tokens() {
    return List.copyOf(tokens);
  }

  private String token() {
    return tokens.get(nextReader());
  }

  /** The next reader in turn, by login order. */
  int nextReader() {
    return Math.floorMod(next.getAndIncrement(), tokens.size());
  }

  /** The reader's user id, as the API knows it: its access token's subject. */
  String userId(int reader) {
    var payload = tokens.get(reader).split("\\.")[1];
    return JSON.readTree(Base64.getUrlDecoder().decode(payload)).path("sub").asString();
  }

  /**
   * The reader's stream {@code requestId}, read from its start as a resuming client reads it, by
   * the bench's own stream reader.
   */
  ChatStream resume(String requestId, int reader, ConcurrentHistogram tokenLatency) {
    var stream = new ChatStream(System.nanoTime(), tokenLatency);
    streams.send(
        api.resolve("/api/chat/stream/" + requestId + "/"),
        "GET",
        Map.of("Authorization", "Bearer " + tokens.get(reader), "X-Forwarded-For", address(reader)),
        null,
        stream);
    return stream;
  }

  /**
   * A client address, as the reverse proxy in front of the API reports it: the bench's requests all
   * leave from 127.0.0.1, which Tomcat trusts as a proxy, and readers do not share one address (one
   * address for all would make the per-address limit's one Redis key the thing measured).
   */
  private String address() {
    return address(next.get());
  }

  static String address(int request) {
    int n = Math.floorMod(request, 60_000);
    return "198.18." + (n / 250) + "." + (n % 250 + 1); // RFC 2544: the benchmarking range
  }

  /** A chat through the API; the stream's lines go to a {@link ChatStream}. */
  ChatStream chat(
      String isbn, LlmStandIn.Script script, long intendedNanos, ConcurrentHistogram tokenLatency) {
    return chat(api, isbn, script, intendedNanos, tokenLatency);
  }

  /** A chat through another API instance, by the same readers. */
  ChatStream chat(
      URI api,
      String isbn,
      LlmStandIn.Script script,
      long intendedNanos,
      ConcurrentHistogram tokenLatency) {
    var stream = new ChatStream(intendedNanos, tokenLatency);
    var request =
        HttpRequest.newBuilder(
                post(api.resolve("/api/chat/stream/"), chatBody(isbn, script), token()),
                (name, value) -> true)
            .header("X-Forwarded-For", address())
            .build();
    send(request, stream);
    return stream;
  }

  /**
   * A chat through the API read by the bench's own stream reader, on a connection of its own: for
   * the phases that measure its tokens, not its time to the first one.
   */
  ChatStream chatForTokens(
      String isbn,
      LlmStandIn.Script script,
      long intendedNanos,
      @Nullable ConcurrentHistogram tokenLatency) {
    var stream = new ChatStream(intendedNanos, tokenLatency);
    streams.send(
        api.resolve("/api/chat/stream/"),
        "POST",
        Map.of(
            "Content-Type",
            "application/json",
            "Authorization",
            "Bearer " + token(),
            "X-Forwarded-For",
            address()),
        chatBody(isbn, script),
        stream);
    return stream;
  }

  /**
   * With a client message id, as the mini-program SDK sends every chat (its claim is part of the
   * chat's admission).
   */
  private static String chatBody(String isbn, LlmStandIn.Script script) {
    return "{\"isbn\":\""
        + isbn
        + "\",\"client_msg_id\":\""
        + UUID.randomUUID()
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
        + script.question()
        + "\"}]}";
  }

  /** The same answer asked of the stand-in directly: the baseline the relay adds to. */
  ChatStream direct(
      LlmStandIn.Script script, long intendedNanos, ConcurrentHistogram tokenLatency) {
    var stream = new ChatStream(intendedNanos, tokenLatency);
    send(post(llm.resolve("/chat/completions"), directBody(script), "bench-key"), stream);
    return stream;
  }

  /** {@link #direct}, read as {@link #chatForTokens} reads the API's answer. */
  ChatStream directForTokens(
      LlmStandIn.Script script, long intendedNanos, ConcurrentHistogram tokenLatency) {
    var stream = new ChatStream(intendedNanos, tokenLatency);
    streams.send(
        llm.resolve("/chat/completions"),
        "POST",
        Map.of("Content-Type", "application/json", "Authorization", "Bearer bench-key"),
        directBody(script),
        stream);
    return stream;
  }

  private static String directBody(LlmStandIn.Script script) {
    return "{\"model\":\"bench\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
        + script.question()
        + "\"}]}";
  }

  private void send(HttpRequest request, ChatStream stream) {
    request =
        HttpRequest.newBuilder(request, (name, value) -> true)
            .header("Accept", "text/event-stream")
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(stream))
        .whenComplete(
            (response, error) -> {
              if (error != null || response.statusCode() != 200) {
                stream.onError(
                    error != null ? error : new IOException("HTTP " + response.statusCode()));
              }
            });
  }

  /** GET a path of the API with a reader's token; completes with the status and body. */
  CompletableFuture<HttpResponse<String>> get(String path) {
    var request =
        HttpRequest.newBuilder(api.resolve(path))
            .header("Authorization", "Bearer " + token())
            .header("X-Forwarded-For", address())
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  static String field(String json, String name) {
    return JSON.readTree(json).path(name).asString();
  }

  private static HttpRequest post(URI uri, String body, String token) {
    var builder =
        HttpRequest.newBuilder(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder.build();
  }
}
