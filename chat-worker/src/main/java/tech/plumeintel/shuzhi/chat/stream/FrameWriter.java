package tech.plumeintel.shuzhi.chat.stream;

import io.lettuce.core.RedisFuture;
import java.util.ArrayDeque;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * Writes one stream's frames: for each, RPUSH to the log then PUBLISH on the events channel,
 * pipelined without waiting for each answer. Heartbeats are published only. The log's TTL is set
 * with the first frame, renewed now and then, and set again with the last, rather than with every
 * frame. Used by the stream's one thread.
 */
public final class FrameWriter {

  // Enough to keep the pipeline full; bounds what piles up in memory when Redis slows down.
  private static final int MAX_IN_FLIGHT = 64;

  private final FramePublisher publisher;
  private final String log;
  private final String events;
  private final String meta;
  private final long ttlMillis;
  private final ArrayDeque<RedisFuture<?>> inFlight = new ArrayDeque<>();
  private long seq;
  private long ttlRenewedAt;

  FrameWriter(FramePublisher publisher, String requestId) {
    this.publisher = publisher;
    this.log = ChatChannels.log(requestId);
    this.events = ChatChannels.events(requestId);
    this.meta = ChatChannels.meta(requestId);
    this.ttlMillis = publisher.logTtl().toMillis();
  }

  public void chunk(String payload) {
    write(StreamFrame.chunk(++seq, payload));
  }

  /** Ends the stream with an error frame and waits until Redis has taken every frame. */
  public void error(String payload) {
    write(StreamFrame.error(++seq, payload));
    flush();
  }

  /** Ends the stream with a done frame and waits until Redis has taken every frame. */
  public void done() {
    write(StreamFrame.done(++seq));
    flush();
  }

  public void heartbeat() {
    track(publisher.redis().publish(events, StreamFrame.heartbeat().encode()));
  }

  /** Frames written so far. */
  public long frames() {
    return seq;
  }

  private void write(StreamFrame frame) {
    var redis = publisher.redis();
    var encoded = frame.encode();
    track(redis.rpush(log, encoded));
    long now = System.nanoTime();
    if (frame.seq() == 1 || frame.kind().endsStream()
        || now - ttlRenewedAt > ttlMillis * 1_000_000 / 4) {
      track(redis.pexpire(log, ttlMillis));
      ttlRenewedAt = now;
    }
    if (frame.kind().endsStream()) {
      // The API checks the stream's owner in the meta hash on resume: it must last as long as the log.
      track(redis.pexpire(meta, ttlMillis));
    }
    track(redis.publish(events, encoded));
  }

  private void track(RedisFuture<?> future) {
    inFlight.add(future);
    while (inFlight.size() > MAX_IN_FLIGHT) {
      publisher.await(inFlight.poll());
    }
  }

  private void flush() {
    while (!inFlight.isEmpty()) {
      publisher.await(inFlight.poll());
    }
  }
}
