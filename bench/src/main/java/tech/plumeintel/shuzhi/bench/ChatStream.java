package tech.plumeintel.shuzhi.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.HdrHistogram.ConcurrentHistogram;
import org.jspecify.annotations.Nullable;

/**
 * One chat stream as the client reads it (through the API, or straight from the stand-in): when its
 * first token arrived, how late each stamped token was, and how it ended. Fed line by line by the
 * JDK HTTP client.
 */
final class ChatStream implements Flow.Subscriber<String> {

  final long intendedNanos;
  private final @Nullable ConcurrentHistogram tokenLatencyMicros;
  final CompletableFuture<ChatStream> ended = new CompletableFuture<>();
  volatile long firstTokenNanos;
  volatile long headersNanos;
  volatile int tokens;
  volatile boolean failed;

  /**
   * Why the stream failed, in a few words (an error event's code, a status); null if it did not.
   */
  volatile @Nullable String failure;

  volatile boolean done;
  private volatile boolean recording = true;
  private Flow.@Nullable Subscription subscription;
  private boolean errorEvent;
  private volatile @Nullable String refusal;

  ChatStream(long intendedNanos, @Nullable ConcurrentHistogram tokenLatencyMicros) {
    this.intendedNanos = intendedNanos;
    this.tokenLatencyMicros = tokenLatencyMicros;
  }

  /** Time to first token from the intended send time, in microseconds, or -1 if none came. */
  long ttftMicros() {
    return firstTokenNanos == 0 ? -1 : (firstTokenNanos - intendedNanos) / 1_000;
  }

  /** From the intended send until the answer's headers arrived, or -1 if they never did. */
  long headersMicros() {
    return headersNanos == 0 ? -1 : Math.max(0, (headersNanos - intendedNanos) / 1_000);
  }

  boolean open() {
    return firstTokenNanos != 0 && !ended.isDone();
  }

  void stopRecording() {
    recording = false;
  }

  void cancel() {
    var s = subscription;
    if (s != null) {
      s.cancel();
    }
    ended.complete(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    headersNanos = System.nanoTime();
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(String line) {
    long now = System.nanoTime();
    if (line.startsWith("event: error")) {
      errorEvent = true;
      return;
    }
    if (line.startsWith("{\"code\"")) {
      // A refusal's JSON body, before its status is known here.
      refusal = errorOf(line);
      return;
    }
    if (!line.startsWith("data: ")) {
      return;
    }
    if (errorEvent) {
      failed = true;
      failure = "error event " + errorOf(line.substring("data: ".length()));
      return;
    }
    if (line.equals("data: [DONE]")) {
      done = true;
      return;
    }
    int at = line.indexOf(LlmStandIn.STAMP);
    if (at < 0) {
      return;
    }
    if (firstTokenNanos == 0) {
      firstTokenNanos = now;
    }
    tokens++;
    if (recording && tokenLatencyMicros != null) {
      int from = at + LlmStandIn.STAMP.length();
      long stamp = Long.parseLong(line, from, line.indexOf(']', from), 10);
      tokenLatencyMicros.recordValue(Math.max(0, (now - stamp) / 1_000));
    }
  }

  @Override
  public void onError(Throwable throwable) {
    failed = true;
    // A refusal's body has ended the stream before its status arrives here: the status says more.
    if (throwable.getMessage() != null && throwable.getMessage().startsWith("HTTP ")) {
      failure = throwable.getMessage() + (refusal == null ? "" : " " + refusal);
    } else if (failure == null) {
      failure = throwable.getClass().getSimpleName();
    }
    ended.complete(this);
  }

  @Override
  public void onComplete() {
    if (!done) {
      failed = true;
      if (failure == null) {
        failure = "ended before [DONE]";
      }
    }
    ended.complete(this);
  }

  /** The error event's code and message, as the reader would see them. */
  private static String errorOf(String json) {
    try {
      return Client.field(json, "code") + " " + Client.field(json, "message");
    } catch (RuntimeException malformed) {
      return "(not JSON)";
    }
  }
}
