package tech.plumeintel.shuzhi.chat.llm;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpResponse.ResponseInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.llm.ModelException.Kind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One streamed completion over the JDK HTTP client. The response's lines are pushed into a queue
 * by the client's own threads; the reader waits on that queue with a timeout, which gives it the
 * first-token, idle and total timeouts and its heartbeat pauses without a timer thread per stream.
 * Closing cancels the request or the body subscription, which closes the connection at once.
 */
final class HttpModelStream implements ModelStream {

  private static final int MAX_ERROR_BODY = 4_096;

  private final HttpClient http;
  private final HttpRequest request;
  private final LlmProperties properties;
  private final ChunkParser parser;
  private final JsonMapper json;
  private final long started = System.nanoTime();
  private final ArrayDeque<ModelEvent> pending = new ArrayDeque<>();
  private final SseDecoder sse = new SseDecoder();
  private volatile @Nullable Attempt attempt;
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
        case Signal.Line line -> read(sse.feed(line.text()));
        case Signal.Ended ignored -> {
          read(sse.finish());
          if (!ended && !finishSeen) {
            throw new ModelException(Kind.UNAVAILABLE, "stream ended before the model finished");
          }
          ended = true;
        }
        case Signal.Broken broken -> retryOrThrow(broken.failure());
      }
    }
  }

  /**
   * The next signal, or null once {@code waitUntil} passed in silence (comment lines are signals
   * too, so the wait is an instant, not a duration); throws when a timeout runs out.
   */
  private @Nullable Signal take(long waitUntil) throws ModelException {
    long now = System.nanoTime();
    long total = started + properties.totalTimeout().toNanos();
    long deadline = Math.min(total, tokenSeen
        ? lastChunk + properties.idleTimeout().toNanos()
        : started + properties.firstTokenTimeout().toNanos());
    if (now >= deadline) {
      close();
      if (finishSeen && now < total) {
        // The answer was complete; only the closing [DONE] never came.
        return new Signal.Ended();
      }
      String which = now >= total ? "total" : tokenSeen ? "idle" : "first token";
      throw new ModelException(Kind.TIMEOUT, "no answer in time (" + which + " timeout)");
    }
    if (now >= waitUntil) {
      return null;
    }
    try {
      var signal = current().signals.poll(Math.min(waitUntil, deadline) - now, TimeUnit.NANOSECONDS);
      return signal != null ? signal : take(waitUntil);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new ModelException(Kind.CLOSED, "interrupted");
    }
  }

  private void read(@Nullable String data) throws ModelException {
    if (data == null) {
      return;
    }
    lastChunk = System.nanoTime();
    if (data.equals("[DONE]")) {
      ended = true;
      return;
    }
    var chunk = parser.parse(data);
    if (chunk.model() != null) {
      model = chunk.model();
    }
    for (var event : chunk.events()) {
      switch (event) {
        case ModelEvent.Reasoning r -> tokenSeen = true;
        case ModelEvent.Content c -> tokenSeen = true;
        case ModelEvent.Finished f -> finishSeen = true;
        default -> { }
      }
      pending.add(event);
    }
  }

  private void retryOrThrow(ModelException failure) throws ModelException {
    if (closed || tokenSeen || !pending.isEmpty() || !failure.retryable()
        || attempts > properties.maxRetries()) {
      throw failure;
    }
    var backoff = properties.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 6));
    try {
      // Wakes early when closed: close() leaves a signal in the queue being waited on.
      current().signals.poll(backoff.toNanos(), TimeUnit.NANOSECONDS);
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
    var next = new Attempt();
    attempt = next;
    next.send();
    if (closed) {
      next.abort();
    }
  }

  private Attempt current() {
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

  /** What the HTTP client's threads tell the reader. */
  private sealed interface Signal {
    record Line(String text) implements Signal {}

    record Ended() implements Signal {}

    record Broken(ModelException failure) implements Signal {}
  }

  /** One HTTP exchange; a retry makes a new one, so late signals of the old one are not mixed in. */
  private final class Attempt implements Flow.Subscriber<String> {

    final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private volatile @Nullable CompletableFuture<HttpResponse<byte[]>> response;
    private volatile Flow.@Nullable Subscription subscription;
    private volatile boolean aborted;

    void send() {
      var future = http.sendAsync(request, this::bodyFor);
      response = future;
      future.whenComplete((answer, error) -> {
        if (error != null) {
          signals.add(new Signal.Broken(failure(error)));
        } else if (answer.statusCode() != 200 || !isEventStream(answer)) {
          signals.add(new Signal.Broken(rejected(answer)));
        }
      });
    }

    private BodySubscriber<byte[]> bodyFor(ResponseInfo info) {
      if (info.statusCode() == 200 && isEventStream(info.headers().firstValue("Content-Type"))) {
        return BodySubscribers.mapping(
            BodySubscribers.fromLineSubscriber(this), ignored -> new byte[0]);
      }
      return BodySubscribers.ofByteArray();
    }

    void abort() {
      aborted = true;
      var body = subscription;
      if (body != null) {
        body.cancel();
      }
      var future = response;
      if (future != null) {
        future.cancel(true);
      }
      signals.add(new Signal.Broken(new ModelException(Kind.CLOSED, "stream closed")));
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      if (aborted) {
        subscription.cancel();
      } else {
        // The text is small and the reader keeps up; the timeouts bound how long it can grow.
        subscription.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(String line) {
      signals.add(new Signal.Line(line));
    }

    @Override
    public void onError(Throwable error) {
      signals.add(new Signal.Broken(failure(error)));
    }

    @Override
    public void onComplete() {
      signals.add(new Signal.Ended());
    }

    private ModelException failure(Throwable error) {
      var cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      if (aborted || closed) {
        return new ModelException(Kind.CLOSED, "stream closed");
      }
      if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
        return new ModelException(Kind.UNAVAILABLE, null,
            "cannot connect to the model endpoint: " + cause.getClass().getSimpleName(), null);
      }
      if (cause instanceof IOException) {
        return new ModelException(Kind.UNAVAILABLE, null,
            "connection to the model endpoint broke: " + cause.getClass().getSimpleName(), null);
      }
      return new ModelException(Kind.UNAVAILABLE, null,
          "model request failed: " + cause.getClass().getSimpleName(), null);
    }
  }

  private ModelException rejected(HttpResponse<byte[]> answer) {
    int status = answer.statusCode();
    String contentType = answer.headers().firstValue("Content-Type").orElse("none");
    String detail = status == 200 ? "unexpected content type " + clip(contentType)
        : errorDetail(answer.body(), contentType);
    return new ModelException(Kind.REJECTED, status,
        "model endpoint answered HTTP " + status + " (" + detail + ")", null);
  }

  private String errorDetail(byte @Nullable [] body, String contentType) {
    if (body == null || body.length == 0) {
      return "empty body";
    }
    if (!contentType.toLowerCase(Locale.ROOT).contains("json")) {
      return clip(contentType) + ", " + body.length + " bytes";
    }
    try {
      var text = new String(body, 0, Math.min(body.length, MAX_ERROR_BODY), StandardCharsets.UTF_8);
      return ChunkParser.describe(json.readTree(text).path("error"));
    } catch (JacksonException e) {
      return "unreadable JSON, " + body.length + " bytes";
    }
  }

  private static boolean isEventStream(HttpResponse<?> answer) {
    return isEventStream(answer.headers().firstValue("Content-Type"));
  }

  private static boolean isEventStream(java.util.Optional<String> contentType) {
    return contentType.map(type -> type.toLowerCase(Locale.ROOT).startsWith("text/event-stream"))
        .orElse(false);
  }

  private static String clip(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60);
  }
}
