package tech.plumeintel.shuzhi.api.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
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
 * One client connection to one stream, as {@link StreamRelay} opens it. Frames arrive from Redis
 * pub/sub into a queue (never blocking the Redis I/O thread); a writer task writes what is queued,
 * first what {@link Replay} finds in the log, then live frames, and ends when the stream does or
 * {@link Liveness} says so. No thread waits for an idle connection: the relay's clock calls {@link
 * #tick}. At most one writer runs at a time ({@code writing}); it owns the replay position.
 */
final class StreamConnection {

  private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);

  /** Marks the end of this connection (not of the stream): the client is to resume elsewhere. */
  private static final StreamFrame HAND_BACK = new StreamFrame(-1, StreamFrame.Kind.HEARTBEAT, "");

  private final String requestId;
  private final StreamFormat format;
  private final Replay replay;
  private final Liveness liveness;
  private final Clock clock;
  private final Executor writers;
  private final ConcurrentLinkedQueue<StreamFrame> live = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private volatile @Nullable Output output;
  private volatile boolean ended;

  /** Set once, by the Redis I/O thread; committed by the writer that flushes the frame. */
  private volatile @Nullable FirstFrameRelayed firstLive;

  // Owned by the writer.
  private boolean begun;

  /** Where the stream goes, and what to call when this connection is over. */
  private record Output(OutputStream out, Runnable onEnd) {}

  StreamConnection(
      String requestId,
      StreamFormat format,
      Replay replay,
      Liveness liveness,
      Clock clock,
      Executor writers) {
    this.requestId = requestId;
    this.format = format;
    this.replay = replay;
    this.liveness = liveness;
    this.clock = clock;
    this.writers = writers;
  }

  /** Called on the Redis I/O thread. */
  void offer(StreamFrame frame) {
    if (firstLive == null) {
      firstLive = firstLive(frame);
    }
    liveness.workerSignalled(clock.millis());
    live.offer(frame);
    schedule();
  }

  /** Starts writing, once the response may be written from another thread (async started). */
  void start(OutputStream out, Runnable onEnd) {
    this.output = new Output(out, onEnd);
    schedule();
  }

  /** The instance is stopping: the connection ends after what is queued; the client resumes. */
  void handBack() {
    live.offer(HAND_BACK);
    schedule();
  }

  /** Called about every quarter second by the relay's clock. */
  void tick(long nowMillis) {
    if (liveness.isDue(nowMillis)) {
      schedule();
    }
  }

  /** Ends this connection's interest in the stream; frames still queued are dropped. */
  void close() {
    ended = true;
    live.clear();
  }

  private void schedule() {
    if (!ended && output != null && writing.compareAndSet(false, true)) {
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
    var output = this.output;
    if (output == null) {
      writing.set(false);
      return;
    }
    boolean over = true;
    try {
      var out = output.out();
      over = begun ? writeQueued(out) : begin(out);
      if (!over) {
        over = checkClock(out);
      }
      out.flush();
      relayed();
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
      output.onEnd().run();
    } else {
      liveness.scheduleNext();
    }
    writing.set(false);
    if (!live.isEmpty()) {
      schedule();
    }
  }

  private FirstFrameRelayed firstLive(StreamFrame frame) {
    var event = new FirstFrameRelayed();
    if (event.isEnabled()) {
      event.requestId = requestId;
      event.seq = frame.seq();
      event.kind = frame.kind().name();
      event.begin();
    }
    return event;
  }

  /** The first live frame's event, once that frame has been flushed. */
  private void relayed() {
    var event = firstLive;
    if (event != null && event.isEnabled() && !event.committed && live.isEmpty()) {
      event.committed = true;
      event.commit();
    }
  }

  /**
   * @return true when the stream has ended
   */
  private boolean begin(OutputStream out) throws IOException {
    begun = true;
    liveness.begin(clock.millis());
    return emitAll(out, replay.rest()) || writeQueued(out);
  }

  /**
   * @return true when the stream has ended
   */
  private boolean writeQueued(OutputStream out) throws IOException {
    StreamFrame frame;
    while ((frame = live.poll()) != null) {
      if (frame == HAND_BACK) {
        return true;
      }
      if (replay.isNew(frame) && (emitAll(out, replay.gapBefore(frame)) || emit(out, frame))) {
        return true;
      }
    }
    return false;
  }

  /**
   * @return true when the stream has ended, or this connection's time is up
   */
  private boolean checkClock(OutputStream out) throws IOException {
    var verdict = liveness.verdict(clock.millis());
    return switch (verdict) {
      case FINE -> false;
      case PING -> {
        write(out, format.ping());
        yield false;
      }
      case CONNECTION_OVER -> true;
      case NOT_PICKED_UP, WORKER_SILENT -> {
        workerGone(out, verdict == Liveness.Verdict.NOT_PICKED_UP);
        yield true;
      }
    };
  }

  /** No worker took the job in time, or the one that did has gone silent. */
  private void workerGone(OutputStream out, boolean notPickedUp) throws IOException {
    // The live channel may have missed the last frames (a worker killed between its RPUSH and its
    // PUBLISH, a Redis reconnect): the client gets what the log holds before any verdict.
    if (emitAll(out, replay.rest())) {
      return;
    }
    if (notPickedUp) {
      replay.cancelUnclaimedJob();
    }
    write(
        out,
        format.render(
            StreamFormat.errorFrame("MODEL_ERROR", notPickedUp ? "对话服务繁忙，请稍后再试" : "对话服务中断，请重试")));
  }

  /**
   * @return true when the logged frames ended the stream
   */
  private boolean emitAll(OutputStream out, List<StreamFrame> logged) throws IOException {
    for (var frame : logged) {
      liveness.workerSeen();
      if (replay.isNew(frame) && emit(out, frame)) {
        return true;
      }
    }
    return false;
  }

  private boolean emit(OutputStream out, StreamFrame frame) throws IOException {
    replay.sent(frame);
    write(out, format.render(frame));
    return frame.kind().endsStream();
  }

  /** Writes without flushing; the writer flushes once when the queue is empty. */
  private void write(OutputStream out, byte @Nullable [] bytes) throws IOException {
    if (bytes != null && bytes.length > 0) {
      out.write(bytes);
      liveness.wrote(clock.millis());
    }
  }
}
