package tech.plumeintel.shuzhi.api.chat;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p>The response is written in the servlet's non-blocking mode. The next token of a stream whose
 * client keeps up is written and flushed by the Redis I/O thread itself when the response can take
 * it at once ({@link ServletOutputStream#isReady()}): handing each token to a writer thread cost
 * the relay 40 % more CPU (bench, relay alone at 5,000–20,000 tokens/s). Everything else (the
 * replay, gaps, pings, the end, a client that does not keep up) goes to the writer task, a virtual
 * thread that waits for the response to be ready before each write, as a blocking write would.
 */
final class StreamConnection {

  private static final Logger log = LoggerFactory.getLogger(StreamConnection.class);

  /** Marks the end of this connection (not of the stream): the client is to resume elsewhere. */
  private static final StreamFrame HAND_BACK = new StreamFrame(-1, StreamFrame.Kind.HEARTBEAT, "");

  /**
   * How long a client may take no bytes before its connection ends (Tomcat's own write timeout).
   */
  private static final long WRITE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

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

  /** The writer task waiting for the response to be ready, to be woken when it is. */
  private volatile @Nullable Thread waiting;

  /** Set when a write on the Redis I/O thread failed; the writer task ends the connection. */
  private volatile boolean broken;

  /** Set once, by the Redis I/O thread; committed by the writer that flushes the frame. */
  private volatile @Nullable FirstFrameRelayed firstLive;

  // Owned by the writer.
  private boolean begun;

  /** Where the stream goes, and what to call when this connection is over. */
  private record Output(ServletOutputStream out, Runnable onEnd) {}

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
    // The worker's heartbeat at its claim comes first and reaches no reader: the event is the
    // first token's last hop.
    if (firstLive == null && frame.kind() != StreamFrame.Kind.HEARTBEAT) {
      firstLive = firstLive(frame);
    }
    liveness.workerSignalled(clock.millis());
    if (!writeAtOnce(frame)) {
      live.offer(frame);
      schedule();
    }
  }

  /**
   * Writes the stream's next token on the calling thread, when nothing is queued before it and the
   * response takes it without waiting.
   *
   * @return false when the frame is the writer task's
   */
  private boolean writeAtOnce(StreamFrame frame) {
    var output = this.output;
    if (output == null
        || ended
        || frame.kind() != StreamFrame.Kind.CHUNK
        || !writing.compareAndSet(false, true)) {
      return false;
    }
    boolean written = false;
    try {
      if (begun && !broken && live.isEmpty() && replay.isNext(frame) && output.out().isReady()) {
        replay.sent(frame);
        output.out().write(format.render(frame));
        liveness.wrote(clock.millis());
        written = true;
        if (output.out().isReady()) {
          output.out().flush();
          relayed();
        }
        liveness.scheduleNext();
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (or the response is over): the writer task ends the connection.
      broken = true;
      written = true;
    } finally {
      writing.set(false);
    }
    if (broken || !live.isEmpty()) {
      schedule();
    }
    return written;
  }

  /**
   * Starts writing, once the response may be written from another thread (async started): from here
   * the response is non-blocking.
   */
  void start(ServletOutputStream out, Runnable onEnd) {
    this.output = new Output(out, onEnd);
    out.setWriteListener(
        new WriteListener() {
          @Override
          public void onWritePossible() {
            var writer = waiting;
            if (writer != null) {
              LockSupport.unpark(writer);
            } else {
              // What the Redis I/O thread wrote but could not flush leaves with the next write.
              schedule();
            }
          }

          @Override
          public void onError(Throwable failure) {
            broken = true;
            wakeWriter();
            schedule();
          }
        });
    // Not left to the container's first onWritePossible, which may come only once the request's
    // dispatch has returned.
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

  /**
   * Ends this connection's interest in the stream (and a new job's wait for a worker); frames still
   * queued are dropped.
   */
  void close() {
    ended = true;
    liveness.endPickupWait();
    live.clear();
    wakeWriter();
  }

  private void wakeWriter() {
    var writer = waiting;
    if (writer != null) {
      LockSupport.unpark(writer);
    }
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
      if (broken) {
        throw new IOException("the client went away");
      }
      over = begun ? writeQueued(out) : begin(out);
      if (!over) {
        over = checkClock(out);
      }
      awaitReady(out);
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
  private boolean begin(ServletOutputStream out) throws IOException {
    begun = true;
    liveness.begin(clock.millis());
    return emitAll(out, replay.rest()) || writeQueued(out);
  }

  /**
   * @return true when the stream has ended
   */
  private boolean writeQueued(ServletOutputStream out) throws IOException {
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
  private boolean checkClock(ServletOutputStream out) throws IOException {
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
  private void workerGone(ServletOutputStream out, boolean notPickedUp) throws IOException {
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
  private boolean emitAll(ServletOutputStream out, List<StreamFrame> logged) throws IOException {
    for (var frame : logged) {
      liveness.workerSeen();
      if (replay.isNew(frame) && emit(out, frame)) {
        return true;
      }
    }
    return false;
  }

  private boolean emit(ServletOutputStream out, StreamFrame frame) throws IOException {
    replay.sent(frame);
    write(out, format.render(frame));
    return frame.kind().endsStream();
  }

  /** Writes without flushing; the writer flushes once when the queue is empty. */
  private void write(ServletOutputStream out, byte @Nullable [] bytes) throws IOException {
    if (bytes != null && bytes.length > 0) {
      awaitReady(out);
      out.write(bytes);
      liveness.wrote(clock.millis());
    }
  }

  /**
   * Waits, on the writer task's virtual thread, until the non-blocking response takes a write: as a
   * blocking write waits for the client, and no longer than Tomcat would.
   *
   * @throws IOException when the client takes nothing for {@link #WRITE_TIMEOUT_NANOS}, or the
   *     connection ended meanwhile
   */
  private void awaitReady(ServletOutputStream out) throws IOException {
    long deadline = System.nanoTime() + WRITE_TIMEOUT_NANOS;
    waiting = Thread.currentThread();
    try {
      // A false isReady() promises a call to onWritePossible, which unparks this thread; a permit
      // it leaves before the park makes the park return at once.
      while (!out.isReady()) {
        long left = deadline - System.nanoTime();
        if (ended || broken || left <= 0) {
          throw new IOException("the client took nothing for too long, or went away");
        }
        LockSupport.parkNanos(this, left);
      }
    } finally {
      waiting = null;
    }
  }
}
