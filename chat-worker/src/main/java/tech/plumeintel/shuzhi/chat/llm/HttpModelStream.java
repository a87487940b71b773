package tech.plumeintel.shuzhi.chat.llm;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.llm.ModelException.Kind;
import tools.jackson.databind.json.JsonMapper;

/**
 * One streamed completion: reads the lines an {@link HttpAttempt} queues, decodes them into events,
 * and enforces the first-token, idle and total timeouts by how long it waits on that queue, so no
 * timer thread per stream is needed. A 429, a 5xx or a connect failure before any token starts a
 * new attempt after a growing pause; anything later fails the stream.
 */
final class HttpModelStream implements ModelStream {

  private final HttpClient http;
  private final HttpRequest request;
  private final LlmProperties properties;
  private final ChunkParser parser;
  private final JsonMapper json;
  private final long started = System.nanoTime();
  private final ArrayDeque<ModelEvent> pending = new ArrayDeque<>();
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final SseDecoder sse = new SseDecoder();
  private @Nullable ModelException failed;
  private volatile @Nullable HttpAttempt attempt;
  private volatile boolean closed;
  private volatile String model;
  private long lastChunk = started;
  private boolean tokenSeen;
  private boolean finishSeen;
  private boolean ended;
  private int attempts;

  HttpModelStream(HttpClient http, HttpRequest request, LlmProperties properties, JsonMapper json) {
    this.http = http;
    this.request = request;
    this.properties = properties;
    this.json = json;
    this.parser = new ChunkParser(json);
    this.model = properties.model();
    send();
  }

  @Override
  public String model() {
    return model;
  }

  @Override
  public ModelEvent next(Duration wait) throws ModelException {
    long waitUntil = System.nanoTime() + wait.toNanos();
    while (true) {
      if (!pending.isEmpty()) {
        return pending.poll();
      }
      if (failed != null) {
        throw failed;
      }
      if (ended) {
        return ModelEvent.END;
      }
      if (closed && !finishSeen) {
        throw new ModelException(Kind.CLOSED, "stream closed");
      }
      var signal = take(waitUntil);
      if (signal == null) {
        return ModelEvent.SILENCE;
      }
      switch (signal) {
        case HttpAttempt.Signal.Bytes bytes -> feed(bytes);
        case HttpAttempt.Signal.Ended ignored -> {
          sse.finish(this::read);
          if (!ended && !finishSeen) {
            throw new ModelException(Kind.UNAVAILABLE, "stream ended before the model finished");
          }
          ended = true;
        }
        case HttpAttempt.Signal.Broken broken -> retryOrThrow(broken.failure());
      }
    }
  }

  /**
   * The next signal, or null once {@code waitUntil} passed in silence (comment lines are signals
   * too, so the wait is an instant, not a duration); throws when a timeout runs out.
   */
  private HttpAttempt.@Nullable Signal take(long waitUntil) throws ModelException {
    long now = System.nanoTime();
    long total = started + properties.totalTimeout().toNanos();
    long deadline =
        Math.min(
            total,
            tokenSeen
                ? lastChunk + properties.idleTimeout().toNanos()
                : started + properties.firstTokenTimeout().toNanos());
    if (now >= deadline) {
      close();
      if (finishSeen && now < total) {
        // The answer was complete; only the closing [DONE] never came.
        return new HttpAttempt.Signal.Ended();
      }
      String which = now >= total ? "total" : tokenSeen ? "idle" : "first token";
      throw new ModelException(Kind.TIMEOUT, "no answer in time (" + which + " timeout)");
    }
    if (now >= waitUntil) {
      // What is queued already, without waiting: a zero wait asks only that.
      return current().signals().poll();
    }
    try {
      var signal =
          current().signals().poll(Math.min(waitUntil, deadline) - now, TimeUnit.NANOSECONDS);
      return signal != null ? signal : take(waitUntil);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new ModelException(Kind.CLOSED, "interrupted");
    }
  }

  /**
   * Decodes what arrived. A failure in the middle is kept until the events before it have been
   * handed out, as they would have been had the bytes come one event at a time.
   */
  private void feed(HttpAttempt.Signal.Bytes bytes) {
    try {
      for (var buffer : bytes.buffers()) {
        sse.feed(buffer, this::read);
      }
    } catch (ModelException e) {
      failed = e;
    }
  }

  private void read(byte[] data, int length) throws ModelException {
    if (ended) {
      return;
    }
    lastChunk = System.nanoTime();
    if (Arrays.equals(data, 0, length, DONE, 0, DONE.length)) {
      ended = true;
      return;
    }
    var chunk = parser.parse(data, length);
    if (chunk.model() != null) {
      model = chunk.model();
    }
    for (var event : chunk.events()) {
      switch (event) {
        case ModelEvent.Reasoning r -> tokenSeen = true;
        case ModelEvent.Content c -> tokenSeen = true;
        case ModelEvent.Finished f -> finishSeen = true;
        default -> {}
      }
      pending.add(event);
    }
  }

  private void retryOrThrow(ModelException failure) throws ModelException {
    if (closed
        || tokenSeen
        || !pending.isEmpty()
        || !failure.retryable()
        || attempts > properties.maxRetries()) {
      throw failure;
    }
    var backoff = properties.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 6));
    try {
      // Wakes early when closed: close() leaves a signal in the queue being waited on.
      current().signals().poll(backoff.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure;
    }
    if (closed) {
      throw new ModelException(Kind.CLOSED, "stream closed");
    }
    send();
  }

  private void send() {
    attempts++;
    var next = new HttpAttempt(http, request, json);
    attempt = next;
    if (closed) {
      next.abort();
    }
  }

  private HttpAttempt current() {
    var current = attempt;
    if (current == null) {
      throw new IllegalStateException("no attempt");
    }
    return current;
  }

  @Override
  public void close() {
    closed = true;
    var current = attempt;
    if (current != null) {
      current.abort();
    }
  }
}
