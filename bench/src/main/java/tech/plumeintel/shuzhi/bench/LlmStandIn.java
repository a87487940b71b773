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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
  private final DelayQueue<Answer> due = new DelayQueue<>();
  private final Thread pacer =
      Thread.ofPlatform().daemon().name("stand-in-pacer").unstarted(this::pace);

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
    pacer.start();
    server.start();
  }

  /**
   * Runs the stand-in in a JVM of its own (the bench starts it so): 10,000 open answers are 10,000
   * sockets, which must not count against the load generator's open-file limit. Prints its port,
   * then serves until its input closes.
   */
  public static void main(String[] args) throws IOException {
    // The JDK's HttpServer leaves Nagle's algorithm on: a stream's first chunk, written just after
    // its headers, waited for the chat-worker's delayed ACK (up to 40 ms; through the
    // question-check phase's instances TTFT was 48-54 ms). Providers' servers send at once. This
    // JVM is the stand-in's own, so the bench's settings do not reach here: neither this one nor
    // keeping every idle connection (BenchRun.main) that a provider keeps until its idle timeout,
    // instead of closing, unannounced, each one that goes idle beyond 200 under the chat-worker.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    System.setProperty("sun.net.httpserver.maxIdleConnections", "100000");
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
      var answer = new Answer(exchange.getResponseBody(), Script.find(body));
      exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
      exchange.sendResponseHeaders(200, 0);
      if (answer.begin()) {
        due.add(answer);
        answer.finished.join();
      }
    } catch (IOException | CompletionException reader) {
      // The worker or the direct reader went away (a cancel): nothing more to write.
    } finally {
      open.decrementAndGet();
    }
  }

  /**
   * Writes the token of every answer that is due, on one thread: tokens due together are written in
   * one wake-up. A thread per answer woke (and was woken by a timer thread) once per token, which
   * made the stand-in the machine's second-largest user of CPU in the relay phase. The price: a
   * reader that stops reading would hold up every answer once its socket's buffers are full; the
   * bench's readers (the chat-worker, the bench's own client) read everything they are sent.
   */
  private void pace() {
    while (true) {
      Answer answer;
      try {
        answer = due.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (answer.next()) {
          due.add(answer);
        } else {
          answer.finished.complete(null);
        }
      } catch (IOException reader) {
        answer.finished.completeExceptionally(reader);
      }
    }
  }

  /** One answer being streamed: what it has written and when its next token is due. */
  private static final class Answer implements Delayed {

    final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final OutputStream out;
    private final Script script;
    private final String id = "standin-" + System.nanoTime();
    private final long start = System.nanoTime();
    private final int total;
    private int written;
    private long dueNanos;

    Answer(OutputStream out, Script script) {
      this.out = out;
      this.script = script;
      this.total = script.reasoning() + script.content();
    }

    /** Writes the role chunk; returns whether tokens follow (else the answer is complete). */
    boolean begin() throws IOException {
      send(out, chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
      if (total == 0) {
        end();
        return false;
      }
      dueNanos = dueOf(0);
      return true;
    }

    /** Writes the token that is due, stamped now; returns whether another one follows. */
    boolean next() throws IOException {
      var field = written < script.reasoning() ? "reasoning_content" : "content";
      send(out, chunk(id, stampedDelta(field), null));
      written++;
      if (written == total) {
        end();
        return false;
      }
      dueNanos = dueOf(written);
      return true;
    }

    private long dueOf(int token) {
      long due =
          start + script.firstTokenMicros() * 1_000L + token * script.intervalMicros() * 1_000L;
      return token == 1 ? due + script.holdMillis() * 1_000_000L : due;
    }

    private void end() throws IOException {
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

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(dueNanos, ((Answer) other).dueNanos);
    }
  }

  /** A delta of one token in {@code field}, stamped with now for {@link ChatStream} to read. */
  static String stampedDelta(String field) {
    return "{\"" + field + "\":\"w" + STAMP + System.nanoTime() + "] \"}";
  }

  /** One chunk of an OpenAI-compatible stream; {@code finishReason} is JSON ({@code null} too). */
  static String chunk(String id, String delta, String finishReason) {
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
    pacer.interrupt();
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
