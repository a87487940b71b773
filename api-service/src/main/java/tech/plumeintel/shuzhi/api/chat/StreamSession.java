package tech.plumeintel.shuzhi.api.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * One client connection to one stream. Frames arrive from Redis pub/sub into a queue (never blocking
 * the Redis I/O thread) and are written by the connection's own (virtual) thread: first what the log
 * holds after the client's last event, then live frames, each exactly once and in order.
 */
final class StreamSession {

  private final String requestId;
  private final StreamFormat format;
  private final StreamRecords records;
  private final ChatProperties properties;
  private final Clock clock;
  private final LinkedBlockingQueue<StreamFrame> live = new LinkedBlockingQueue<>();
  private final @Nullable Instant pickupDeadline;
  private LiveFrames.@Nullable Subscription subscription;
  private long lastSeq;
  private Instant lastWorkerSignal;
  private boolean workerSeen;

  StreamSession(String requestId, StreamFormat format, long afterSeq,
      @Nullable Instant pickupDeadline, StreamRecords records, ChatProperties properties,
      Clock clock) {
    this.requestId = requestId;
    this.format = format;
    this.lastSeq = afterSeq;
    this.pickupDeadline = pickupDeadline;
    this.records = records;
    this.properties = properties;
    this.clock = clock;
    this.lastWorkerSignal = clock.instant();
  }

  org.springframework.http.MediaType mediaType() {
    return format.mediaType();
  }

  /** Marks the end of this connection (not of the stream): the client is to resume elsewhere. */
  private static final StreamFrame HAND_BACK = new StreamFrame(-1, StreamFrame.Kind.HEARTBEAT, "");

  void handBack() {
    live.offer(HAND_BACK);
  }

  /** Called on the Redis I/O thread. */
  void offer(StreamFrame frame) {
    live.offer(frame);
  }

  void attach(LiveFrames.Subscription subscription) {
    this.subscription = subscription;
  }

  void close() {
    if (subscription != null) {
      subscription.close();
    }
  }

  /** Writes the stream until it ends, the client goes away or the connection's time is up. */
  void writeTo(OutputStream out) throws IOException {
    try {
      var missed = records.logged(requestId, lastSeq, null);
      if (replay(out, missed) || (missed.isEmpty() && lastSeq > 0 && endedBefore(lastSeq))) {
        return;
      }
      var connectionEnd = clock.instant().plus(properties.maxConnection());
      var nextPing = clock.instant().plus(properties.pingInterval());
      while (clock.instant().isBefore(connectionEnd)) {
        var wait = Math.max(1, java.time.Duration.between(clock.instant(), nextCheck(nextPing))
            .toMillis());
        StreamFrame frame;
        try {
          frame = live.poll(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        if (frame == null) {
          if (workerGone(out)) {
            return;
          }
          if (!clock.instant().isBefore(nextPing)) {
            write(out, format.ping());
            nextPing = clock.instant().plus(properties.pingInterval());
          }
        } else if (handle(out, frame)) {
          return;
        }
      }
    } finally {
      close();
    }
  }

  private Instant nextCheck(Instant nextPing) {
    var next = nextPing;
    var silenceEnd = lastWorkerSignal.plus(properties.workerSilence());
    if (silenceEnd.isBefore(next)) {
      next = silenceEnd;
    }
    if (!workerSeen && pickupDeadline != null && pickupDeadline.isBefore(next)) {
      next = pickupDeadline.plusMillis(1);
    }
    return next;
  }

  /** A client resuming after the stream's last event has nothing left to get. */
  private boolean endedBefore(long seq) {
    var last = records.lastLogged(requestId);
    return last.isPresent() && last.get().kind().endsStream() && last.get().seq() <= seq;
  }

  /** @return true when the stream has ended */
  private boolean handle(OutputStream out, StreamFrame frame) throws IOException {
    if (frame == HAND_BACK) {
      return true;
    }
    lastWorkerSignal = clock.instant();
    workerSeen = true;
    if (frame.kind() == StreamFrame.Kind.HEARTBEAT || frame.seq() <= lastSeq) {
      return false;
    }
    if (frame.seq() > lastSeq + 1) {
      // Pub/sub lost frames (a Redis reconnect): the log has them.
      if (replay(out, records.logged(requestId, lastSeq, frame.seq() - 1))) {
        return true;
      }
    }
    return emit(out, frame);
  }

  /** @return true when the replayed frames ended the stream */
  private boolean replay(OutputStream out, java.util.List<StreamFrame> frames) throws IOException {
    for (var frame : frames) {
      workerSeen = true;
      if (frame.seq() > lastSeq && emit(out, frame)) {
        return true;
      }
    }
    return false;
  }

  private boolean emit(OutputStream out, StreamFrame frame) throws IOException {
    lastSeq = frame.seq();
    write(out, format.render(frame));
    return frame.kind().endsStream();
  }

  /** No worker took the job in time, or the one that did has gone silent. */
  private boolean workerGone(OutputStream out) throws IOException {
    var now = clock.instant();
    boolean notPickedUp = !workerSeen && pickupDeadline != null && now.isAfter(pickupDeadline);
    boolean silent = now.isAfter(lastWorkerSignal.plus(properties.workerSilence()));
    if (!notPickedUp && !silent) {
      return false;
    }
    // The live channel may have missed the last frames (a worker killed between its RPUSH and its
    // PUBLISH, a Redis reconnect): the client gets what the log holds before any verdict.
    if (replay(out, records.logged(requestId, lastSeq, null))) {
      return true;
    }
    if (notPickedUp) {
      records.cancel(requestId);
    }
    write(out, format.render(StreamFormat.errorFrame("MODEL_ERROR",
        notPickedUp ? "对话服务繁忙，请稍后再试" : "对话服务中断，请重试")));
    return true;
  }

  private static void write(OutputStream out, byte @Nullable [] bytes) throws IOException {
    if (bytes != null && bytes.length > 0) {
      out.write(bytes);
      out.flush();
    }
  }
}
