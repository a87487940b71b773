package tech.plumeintel.shuzhi.chat.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * Writes one stream's frames. Frames are added, then {@link #send() sent} together: one RPUSH of
 * all of them to the log, then a PUBLISH of each on the events channel, in one write. Every frame
 * is in the log before it is published, so a reader that subscribes first and reads the log second
 * misses nothing. The caller sends whenever the model has nothing more queued: several frames
 * travel together only when they were waiting anyway, never because the writer waited for more.
 * Heartbeats are published only. The log's TTL is set with the first frame, renewed now and then,
 * and set again with the last, rather than with every frame. Used by the stream's one thread.
 */
public final class FrameWriter {

  // Enough to keep the pipeline full; bounds what piles up in memory when Redis slows down.
  private static final int MAX_IN_FLIGHT = 64;
  // A model that floods the worker still gets its frames out in bounded batches.
  private static final int MAX_BATCH = 32;
  private static final byte[] HEARTBEAT = StreamFrame.heartbeat().encode().getBytes(UTF_8);

  private final FramePublisher publisher;
  private final byte[] log;
  private final byte[] events;
  private final byte[] meta;
  private final long ttlMillis;
  private final List<byte[]> batch = new ArrayList<>();
  private final ArrayDeque<RedisFuture<?>> inFlight = new ArrayDeque<>();
  private boolean ending;
  private long seq;
  private long sent;
  private long ttlRenewedAt;

  FrameWriter(FramePublisher publisher, String requestId, long lastSeq) {
    this.publisher = publisher;
    this.seq = lastSeq;
    this.log = ChatChannels.log(requestId).getBytes(UTF_8);
    this.events = ChatChannels.events(requestId).getBytes(UTF_8);
    this.meta = ChatChannels.meta(requestId).getBytes(UTF_8);
    this.ttlMillis = publisher.logTtl().toMillis();
  }

  /** Adds a chunk frame; it leaves with the next {@link #send()}. */
  public void chunk(String payload) {
    add(StreamFrame.chunk(++seq, payload));
  }

  /** Adds a reset frame: the client drops what it has shown of the answer. */
  public void reset() {
    add(StreamFrame.reset(++seq));
  }

  /** Ends the stream with an error frame and waits until Redis has taken every frame. */
  public void error(String payload) {
    add(StreamFrame.error(++seq, payload));
    flush();
  }

  /** Ends the stream with a done frame and waits until Redis has taken every frame. */
  public void done() {
    add(StreamFrame.done(++seq));
    flush();
  }

  public void heartbeat() {
    send();
    var publish =
        FramePublisher.command(
            CommandType.PUBLISH,
            FramePublisher.integer(),
            FramePublisher.args().addKey(events).addValue(HEARTBEAT));
    publisher.dispatch(publish);
    track(publish);
  }

  /** Whether frames were added since the last send. */
  public boolean pending() {
    return !batch.isEmpty();
  }

  /** Sends the frames added since the last send, without waiting for Redis's answer. */
  public void send() {
    if (batch.isEmpty()) {
      return;
    }
    var commands = new ArrayList<RedisCommand<byte[], byte[], ?>>(batch.size() + 3);
    commands.add(
        FramePublisher.command(
            CommandType.RPUSH,
            FramePublisher.integer(),
            FramePublisher.args().addKey(log).addValues(batch)));
    long now = System.nanoTime();
    if (sent == 0 || ending || now - ttlRenewedAt > ttlMillis * 1_000_000 / 4) {
      commands.add(expire(log));
      ttlRenewedAt = now;
    }
    if (ending) {
      // The API checks the stream's owner in the meta hash on resume: it must last as long as the
      // log.
      commands.add(expire(meta));
    }
    for (var frame : batch) {
      commands.add(
          FramePublisher.command(
              CommandType.PUBLISH,
              FramePublisher.integer(),
              FramePublisher.args().addKey(events).addValue(frame)));
    }
    sent += batch.size();
    batch.clear();
    publisher.dispatch(commands);
    for (var command : commands) {
      track((RedisFuture<?>) command);
    }
  }

  /** Frames written so far. */
  public long frames() {
    return seq;
  }

  private void add(StreamFrame frame) {
    batch.add(frame.encode().getBytes(UTF_8));
    ending = frame.kind().endsStream();
    if (batch.size() >= MAX_BATCH) {
      send();
    }
  }

  private RedisCommand<byte[], byte[], ?> expire(byte[] key) {
    return FramePublisher.command(
        CommandType.PEXPIRE,
        FramePublisher.bool(),
        FramePublisher.args().addKey(key).add(ttlMillis));
  }

  private void track(RedisFuture<?> future) {
    // Answered commands are let go at once: a slow stream (a token a second) kept its last 64
    // commands with their frames, which was most of a stream's heap with 2,000 streams (bench,
    // class histogram) and what every young collection had to copy. Redis answers in order.
    while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
      publisher.await(inFlight.poll());
    }
    inFlight.add(future);
    while (inFlight.size() > MAX_IN_FLIGHT) {
      publisher.await(inFlight.poll());
    }
  }

  private void flush() {
    send();
    while (!inFlight.isEmpty()) {
      publisher.await(inFlight.poll());
    }
  }
}
