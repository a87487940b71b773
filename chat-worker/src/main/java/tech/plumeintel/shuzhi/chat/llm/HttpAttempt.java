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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
 * One HTTP exchange with the endpoint. The JDK client's threads push the response's bytes, its end
 * or its failure into {@link #signals()}; an error status becomes a failure naming the status and
 * the error's type, never its message (some providers echo the key there). {@link #abort()} cancels
 * the request, or the body subscription once the answer has begun, which closes the connection: the
 * upstream gets a FIN at once, the socket itself is released on the client's selector's next cycle
 * (at most {@code jdk.internal.httpclient.selectorTimeout} later, see ChatWorkerApplication); a
 * retry makes a new exchange, so late signals of an old one are never mixed in.
 */
final class HttpAttempt implements Flow.Subscriber<List<ByteBuffer>> {

  private static final int MAX_ERROR_BODY = 4_096;
  // The end of the body follows [DONE] at once; an upstream that never sends it loses the socket.
  private static final long LINGER_MILLIS = 2_000;

  /** What the HTTP client's threads tell the reader. */
  sealed interface Signal {
    /** Body bytes as the client read them: the reader splits them into lines itself. */
    record Bytes(List<ByteBuffer> buffers) implements Signal {}

    record Ended() implements Signal {}

    record Broken(ModelException failure) implements Signal {}
  }

  private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
  private final JsonMapper json;
  private final CompletableFuture<HttpResponse<byte[]>> response;
  private volatile Flow.@Nullable Subscription subscription;
  private volatile boolean aborted;
  private volatile boolean finished;

  HttpAttempt(HttpClient http, HttpRequest request, JsonMapper json) {
    this.json = json;
    this.response = http.sendAsync(request, this::bodyFor);
    response.whenComplete(
        (answer, error) -> {
          if (error != null) {
            signals.add(new Signal.Broken(failure(error)));
          } else if (answer.statusCode() != 200
              || !isEventStream(answer.headers().firstValue("Content-Type"))) {
            signals.add(new Signal.Broken(rejected(answer)));
          }
        });
  }

  LinkedBlockingQueue<Signal> signals() {
    return signals;
  }

  private BodySubscriber<byte[]> bodyFor(ResponseInfo info) {
    if (info.statusCode() == 200 && isEventStream(info.headers().firstValue("Content-Type"))) {
      // Raw bytes, not lines: the client's line subscriber decoded every line into a string on
      // its own threads, only for the reader to parse it again (bench, JFR).
      return BodySubscribers.fromSubscriber(this, ignored -> new byte[0]);
    }
    return BodySubscribers.ofByteArray();
  }

  void abort() {
    aborted = true;
    var body = subscription;
    if (body != null) {
      body.cancel();
    }
    response.cancel(true);
    signals.add(new Signal.Broken(new ModelException(Kind.CLOSED, "stream closed")));
  }

  /**
   * The answer is complete ({@code [DONE]} read): the exchange is left to read the body's end by
   * itself, which puts its connection back in the client's pool for the next request instead of
   * closing it (a new TCP and TLS handshake with the upstream, in the next answer's time to first
   * token). Aborted if the body has not ended shortly after.
   */
  void release() {
    if (!finished) {
      CompletableFuture.delayedExecutor(LINGER_MILLIS, TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                if (!finished) {
                  abort();
                }
              });
    }
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
  public void onNext(List<ByteBuffer> buffers) {
    signals.add(new Signal.Bytes(buffers));
  }

  @Override
  public void onError(Throwable error) {
    finished = true;
    signals.add(new Signal.Broken(failure(error)));
  }

  @Override
  public void onComplete() {
    finished = true;
    signals.add(new Signal.Ended());
  }

  private ModelException failure(Throwable error) {
    var cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (aborted) {
      return new ModelException(Kind.CLOSED, "stream closed");
    }
    var name = cause.getClass().getSimpleName();
    if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
      return new ModelException(Kind.UNAVAILABLE, "cannot connect to the model endpoint: " + name);
    }
    if (cause instanceof IOException) {
      return new ModelException(
          Kind.UNAVAILABLE, "connection to the model endpoint broke: " + name);
    }
    return new ModelException(Kind.UNAVAILABLE, "model request failed: " + name);
  }

  private ModelException rejected(HttpResponse<byte[]> answer) {
    int status = answer.statusCode();
    String contentType = answer.headers().firstValue("Content-Type").orElse("none");
    String detail =
        status == 200
            ? "unexpected content type " + clip(contentType)
            : errorDetail(answer.body(), contentType);
    return new ModelException(
        Kind.REJECTED,
        status,
        "model endpoint answered HTTP " + status + " (" + detail + ")",
        null);
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

  private static boolean isEventStream(Optional<String> contentType) {
    return contentType
        .map(type -> type.toLowerCase(Locale.ROOT).startsWith("text/event-stream"))
        .orElse(false);
  }

  private static String clip(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60);
  }
}
