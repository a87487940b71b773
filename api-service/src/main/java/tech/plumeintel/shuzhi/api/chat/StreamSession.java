package tech.plumeintel.shuzhi.api.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * One client connection to one stream. Frames arrive from Redis pub/sub into a queue (never
 * blocking the Redis I/O thread); a writer task on a virtual thread writes what is queued, first
 * what the log holds after the client's last event, then live frames, each exactly once and in
 * order, and ends. No thread waits for an idle stream: {@link OpenStreams} calls {@link #tick} so
 * that pings, the worker's silence and the connection's end are noticed. At most one writer runs at
 * a time.
 */
final class StreamSession {

  private static final Logger log = LoggerFactory.getLogger(StreamSession.class);

  /** Marks the end of this connection (not of the stream): the client is to resume elsewhere. */
  private static final StreamFrame HAND_BACK = new StreamFrame(-1, StreamFrame.Kind.HEARTBEAT, "");

  private final String requestId;
  private final StreamFormat format;
  private final StreamRecords records;
  private final ChatProperties properties;
  private final Clock clock;
  private final Executor writers;
  private final ConcurrentLinkedQueue<StreamFrame> live = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final long pickupDeadline;
  private LiveFrames.@Nullable Subscription subscription;
  private volatile @Nullable Connection connection;

  /** When the next writer must run even if no frame comes (epoch millis); read by ticks. */
  private volatile long dueAt = Long.MAX_VALUE;

  private volatile boolean ended;

  /**
   * When the worker last sent anything (epoch millis), taken as frames arrive, not as they are
   * written: a writer held up by a slow client must not take the worker for silent.
   */
  private volatile long lastWorkerSignal;

  private volatile boolean workerSeen;

  // Owned by the writer (one at a time; the handoff through `writing` orders them).
  private boolean begun;
  private long lastSeq;
  private long nextPing;
  private long connectionEnd;

  /** Where the stream goes, and what to call when this connection is over. */
  record Connection(OutputStream out, Runnable onEnd) {}

  StreamSession(
      String requestId,
      StreamFormat format,
      long afterSeq,
      @Nullable Instant pickupDeadline,
      StreamRecords records,
      ChatProperties properties,
      Clock clock,
      Executor writers) {
    this.requestId = requestId;
    this.format = format;
    this.lastSeq = afterSeq;
    this.pickupDeadline = pickupDeadline == null ? Long.MAX_VALUE : pickupDeadline.toEpochMilli();
    this.records = records;
    this.properties = properties;
    this.clock = clock;
    this.writers = writers;
    this.lastWorkerSignal = clock.millis();
  }

  org.springframework.http.MediaType mediaType() {
    return format.mediaType();
  }

  void attach(LiveFrames.Subscription subscription) {
    this.subscription = subscription;
  }

  /** Starts writing, once the response may be written from another thread (async started). */
  void start(Connection connection) {
    this.connection = connection;
    schedule();
  }

  void handBack() {
    live.offer(HAND_BACK);
    schedule();
  }

  /** Called on the Redis I/O thread. */
  void offer(StreamFrame frame) {
    lastWorkerSignal = clock.millis();
    workerSeen = true;
    live.offer(frame);
    schedule();
  }

  /** Called about every quarter second by {@link OpenStreams}. */
  void tick(long nowMillis) {
    if (nowMillis >= dueAt) {
      schedule();
    }
  }

  /** Ends this connection's interest in the stream; frames still queued are dropped. */
  void close() {
    ended = true;
    live.clear();
    if (subscription != null) {
      subscription.close();
    }
  }

  private void schedule() {
    if (!ended && connection != null && writing.compareAndSet(false, true)) {
      try {
        writers.execute(this::write);
      } catch (RejectedExecutionException e) {
        // The instance is shutting down; its clients resume elsewhere.
        writing.set(false);
      }
    }
  }

  /**
   * Writes everything queued, with one flush at the end: frames that arrived together leave
   * together, and none waits for another.
   */
  private void write() {
    var connection = this.connection;
    if (connection == null) {
      writing.set(false);
      return;
    }
    boolean over = true;
    try {
      var out = connection.out();
      over = begun ? writeQueued(out) : begin(out);
      if (!over) {
        over = checkClock(out);
      }
      out.flush();
    } catch (IOException e) {
      // The client went away; the generation goes on and the client may resume.
      over = true;
    } catch (RuntimeException e) {
      // Redis failing under a replay: the connection ends, and the client resumes from its last
      // event, as after any lost connection.
      log.warn("Stream {} connection ended: {}", requestId, e.toString());
      over = true;
    }
    if (over) {
      close();
      connection.onEnd().run();
    } else {
      dueAt = nextDue();
    }
    writing.set(false);
    if (!live.isEmpty()) {
      schedule();
    }
  }

  /**
   * @return true when the stream has ended
   */
  private boolean begin(OutputStream out) throws IOException {
    begun = true;
    long now = clock.millis();
    connectionEnd = now + properties.maxConnection().toMillis();
    nextPing = now + properties.pingInterval().toMillis();
    var missed = records.logged(requestId, lastSeq, null);
    return replay(out, missed)
        || (missed.isEmpty() && lastSeq > 0 && endedBefore(lastSeq))
        || writeQueued(out);
  }

  /**
   * @return true when the stream has ended
   */
  private boolean writeQueued(OutputStream out) throws IOException {
    StreamFrame frame;
    while ((frame = live.poll()) != null) {
      if (handle(out, frame)) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return true when the stream has ended, or this connection's time is up
   */
  private boolean checkClock(OutputStream out) throws IOException {
    long now = clock.millis();
    if (now >= connectionEnd) {
      return true;
    }
    if (workerGone(out, now)) {
      return true;
    }
    if (now >= nextPing) {
      write(out, format.ping());
    }
    return false;
  }

  private long nextDue() {
    long next = Math.min(nextPing, connectionEnd);
    next = Math.min(next, lastWorkerSignal + properties.workerSilence().toMillis() + 1);
    if (!workerSeen && pickupDeadline != Long.MAX_VALUE) {
      next = Math.min(next, pickupDeadline + 1);
    }
    return next;
  }

  /** A client resuming after the stream's last event has nothing left to get. */
  private boolean endedBefore(long seq) {
    var last = records.lastLogged(requestId);
    return last.isPresent() && last.get().kind().endsStream() && last.get().seq() <= seq;
  }

  /**
   * @return true when the stream has ended
   */
  private boolean handle(OutputStream out, StreamFrame frame) throws IOException {
    if (frame == HAND_BACK) {
      return true;
    }
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

  /**
   * @return true when the replayed frames ended the stream
   */
  private boolean replay(OutputStream out, List<StreamFrame> frames) throws IOException {
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
  private boolean workerGone(OutputStream out, long now) throws IOException {
    boolean notPickedUp = !workerSeen && now > pickupDeadline;
    boolean silent = now > lastWorkerSignal + properties.workerSilence().toMillis();
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
    write(
        out,
        format.render(
            StreamFormat.errorFrame("MODEL_ERROR", notPickedUp ? "对话服务繁忙，请稍后再试" : "对话服务中断，请重试")));
    return true;
  }

  /** Writes without flushing; the writer flushes once when the queue is empty. */
  private void write(OutputStream out, byte @Nullable [] bytes) throws IOException {
    if (bytes != null && bytes.length > 0) {
      out.write(bytes);
      nextPing = clock.millis() + properties.pingInterval().toMillis();
    }
  }
}
