package tech.plumeintel.shuzhi.chat.llm;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.llm.ModelException.Kind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * One HTTP exchange with the endpoint, made by a virtual thread of its own on Apache HttpClient's
 * classic client: it sends the request, then puts the response's bytes, its end or its failure into
 * {@link #signals()} as it reads them. An error status becomes a failure naming the status and the
 * error's type, never its message (some providers echo the key there). {@link #abort()} cancels the
 * exchange, which closes its connection at once (the client resets it), and the blocked read with
 * it; a retry makes a new exchange, so late signals of an old one are never mixed in.
 */
final class HttpAttempt {

  private static final int MAX_ERROR_BODY = 4_096;

  // The end of the body follows [DONE] at once; an upstream that never sends it loses the socket.
  private static final long LINGER_MILLIS = 2_000;

  /** What the exchange's thread tells the reader. */
  sealed interface Signal {
    /** Body bytes as they were read: the reader splits them into lines itself. */
    record Bytes(ByteBuffer bytes) implements Signal {}

    record Ended() implements Signal {}

    record Broken(ModelException failure) implements Signal {}
  }

  private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
  private final HttpPost request;
  private final JsonMapper json;
  private volatile boolean aborted;
  private volatile boolean finished;

  HttpAttempt(CloseableHttpClient http, HttpPost request, JsonMapper json, ThreadFactory threads) {
    this.request = request;
    this.json = json;
    threads.newThread(() -> exchange(http)).start();
  }

  LinkedBlockingQueue<Signal> signals() {
    return signals;
  }

  private void exchange(CloseableHttpClient http) {
    try (var response = http.executeOpen(null, request, null)) {
      if (aborted) {
        // Closed while the request was leased a pooled connection, before it could be cancelled:
        // the cancel was lost there, so the answer would be generated (and paid for) for nobody.
        request.cancel();
        return;
      }
      var contentType = response.getFirstHeader("Content-Type");
      if (response.getCode() != 200 || !isEventStream(contentType)) {
        signals.add(new Signal.Broken(rejected(response, contentType)));
        return;
      }
      var entity = response.getEntity();
      if (entity == null) {
        finished = true;
        signals.add(new Signal.Ended());
        return;
      }
      // Reading to the end of the body hands the connection back to the pool for the next
      // request, instead of a new TCP and TLS handshake in the next answer's first token.
      try (var body = entity.getContent()) {
        read(body);
      }
      finished = true;
      signals.add(new Signal.Ended());
    } catch (IOException | RuntimeException e) {
      finished = true;
      signals.add(new Signal.Broken(failure(e)));
    }
  }

  /**
   * Hands over each read as it comes, sized to what the connection's buffer holds: a waiting stream
   * keeps no read buffer of its own (thousands wait at once, and every young collection copied the
   * JDK client's per-connection ones).
   */
  private void read(InputStream body) throws IOException {
    for (int first = body.read(); first >= 0; first = body.read()) {
      var bytes = new byte[1 + body.available()];
      bytes[0] = (byte) first;
      int length = 1 + body.readNBytes(bytes, 1, bytes.length - 1);
      signals.add(new Signal.Bytes(ByteBuffer.wrap(bytes, 0, length)));
    }
  }

  void abort() {
    aborted = true;
    request.cancel();
    signals.add(new Signal.Broken(new ModelException(Kind.CLOSED, "stream closed")));
  }

  /**
   * The answer is complete ({@code [DONE]} read): the exchange is left to read the body's end by
   * itself, which puts its connection back in the client's pool for the next request instead of
   * closing it. Aborted if the body has not ended shortly after.
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

  private ModelException failure(Exception cause) {
    if (aborted) {
      return new ModelException(Kind.CLOSED, "stream closed");
    }
    var name = cause.getClass().getSimpleName();
    if (cause instanceof ConnectTimeoutException
        || cause instanceof HttpHostConnectException
        || cause instanceof ConnectException) {
      return new ModelException(Kind.UNAVAILABLE, "cannot connect to the model endpoint: " + name);
    }
    if (cause instanceof IOException) {
      return new ModelException(
          Kind.UNAVAILABLE, "connection to the model endpoint broke: " + name);
    }
    return new ModelException(Kind.UNAVAILABLE, "model request failed: " + name);
  }

  /**
   * Reads at most {@link #MAX_ERROR_BODY} of the answer, then drops the connection: closing the
   * body would read the rest of it to keep the connection, and failover would wait for a slow or
   * large error page.
   */
  private ModelException rejected(ClassicHttpResponse response, @Nullable Header header)
      throws IOException {
    int status = response.getCode();
    String contentType = header == null ? "none" : header.getValue();
    String detail;
    if (status == 200) {
      detail = "unexpected content type " + clip(contentType);
    } else {
      var entity = response.getEntity();
      byte[] body;
      if (entity == null) {
        body = new byte[0];
      } else {
        try {
          body = entity.getContent().readNBytes(MAX_ERROR_BODY);
        } finally {
          request.cancel();
        }
      }
      detail = errorDetail(body, contentType);
    }
    return new ModelException(
        Kind.REJECTED,
        status,
        "model endpoint answered HTTP " + status + " (" + detail + ")",
        null);
  }

  private String errorDetail(byte[] body, String contentType) {
    if (body.length == 0) {
      return "empty body";
    }
    if (!contentType.toLowerCase(Locale.ROOT).contains("json")) {
      return clip(contentType) + ", " + body.length + " bytes";
    }
    try {
      var text = new String(body, StandardCharsets.UTF_8);
      return ChunkParser.describe(json.readTree(text).path("error"));
    } catch (JacksonException e) {
      return "unreadable JSON, " + body.length + " bytes";
    }
  }

  private static boolean isEventStream(@Nullable Header contentType) {
    return contentType != null
        && contentType.getValue().toLowerCase(Locale.ROOT).startsWith("text/event-stream");
  }

  private static String clip(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60);
  }
}
