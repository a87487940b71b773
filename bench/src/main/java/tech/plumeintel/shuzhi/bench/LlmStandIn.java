package tech.plumeintel.shuzhi.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An OpenAI-compatible {@code /chat/completions} that streams like DeepSeek: a role chunk, {@code
 * reasoning_content} deltas, {@code content} deltas, a finish chunk, a usage chunk, {@code [DONE]}.
 * Every token is written on a fixed schedule and carries the {@link System#nanoTime()} of its write
 * as {@code [t=...]}, so a reader in this JVM can tell each token's latency end to end. The shape
 * of an answer is chosen by the request itself: the last user message holds a {@link Script}.
 */
final class LlmStandIn implements AutoCloseable {

  static final String STAMP = "[t=";

  private final HttpServer server;
  private final AtomicInteger open = new AtomicInteger();

  LlmStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/chat/completions", this::answer);
    server.createContext(
        "/open",
        exchange -> {
          try (exchange) {
            var body = Integer.toString(open.get()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
          }
        });
    server.start();
  }

  /**
   * Runs the stand-in in a JVM of its own (the bench starts it so): 10,000 open answers are 10,000
   * sockets, which must not count against the load generator's open-file limit. Prints its port,
   * then serves until its input closes.
   */
  public static void main(String[] args) throws IOException {
    try (var standIn = new LlmStandIn()) {
      System.out.println(standIn.server.getAddress().getPort());
      System.out.flush();
      System.in.readAllBytes();
    }
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers being streamed right now. */
  int openAnswers() {
    return open.get();
  }

  private void answer(HttpExchange exchange) throws IOException {
    open.incrementAndGet();
    try (exchange) {
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      var script = Script.find(body);
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      stream(exchange.getResponseBody(), script);
    } catch (IOException reader) {
      // The worker or the direct reader went away (a cancel): nothing more to write.
    } finally {
      open.decrementAndGet();
    }
  }

  private static void stream(OutputStream out, Script script) throws IOException {
    var id = "standin-" + System.nanoTime();
    long start = System.nanoTime();
    long interval = script.intervalMicros() * 1_000L;
    send(out, chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
    int total = script.reasoning() + script.content();
    for (int i = 0; i < total; i++) {
      long due = start + script.firstTokenMicros() * 1_000L + i * interval;
      if (i == 1 && script.holdMillis() > 0) {
        due += script.holdMillis() * 1_000_000L;
      }
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      var field = i < script.reasoning() ? "reasoning_content" : "content";
      send(out, chunk(id, "{\"" + field + "\":\"w" + STAMP + System.nanoTime() + "] \"}", null));
    }
    send(out, chunk(id, "{}", "\"stop\""));
    send(
        out,
        "{\"id\":\""
            + id
            + "\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":"
            + total
            + ",\"total_tokens\":"
            + (100 + total)
            + ",\"completion_tokens_details\":"
            + "{\"reasoning_tokens\":"
            + script.reasoning()
            + "}}}");
    send(out, "[DONE]");
  }

  private static String chunk(String id, String delta, String finishReason) {
    return "{\"id\":\""
        + id
        + "\",\"object\":\"chat.completion.chunk\",\"created\":0,"
        + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"finish_reason\":"
        + finishReason
        + "}]}";
  }

  private static void send(OutputStream out, String data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * How one answer streams, written into the question as {@code bench:r=2,c=50,i=5000,f=0,h=0}:
   * reasoning and content tokens, microseconds between tokens and before the first, and a hold (ms)
   * after the first token, for streams that stay open doing nothing.
   */
  record Script(
      int reasoning, int content, long intervalMicros, long firstTokenMicros, long holdMillis) {

    static final Script DEFAULT = new Script(2, 20, 1_000, 0, 0);

    String question() {
      return "bench:r="
          + reasoning
          + ",c="
          + content
          + ",i="
          + intervalMicros
          + ",f="
          + firstTokenMicros
          + ",h="
          + holdMillis
          + ";";
    }

    static Script find(String body) {
      int at = body.lastIndexOf("bench:");
      if (at < 0) {
        return DEFAULT;
      }
      int end = body.indexOf(';', at);
      var values = new HashMap<String, Long>();
      for (var pair : body.substring(at + 6, end).split(",")) {
        var kv = pair.split("=");
        values.put(kv[0], Long.parseLong(kv[1]));
      }
      return new Script(
          values.get("r").intValue(),
          values.get("c").intValue(),
          values.get("i"),
          values.get("f"),
          values.get("h"));
    }
  }
}
