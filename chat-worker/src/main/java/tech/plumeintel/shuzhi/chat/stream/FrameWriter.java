package tech.plumeintel.shuzhi.chat.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.RedisFuture;
import java.time.Duration;
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

  private final FrameCommands redis;
  private final byte[] events;
  private final byte[] log;
  private final Duration ttl;
  private final long ttlMillis;
  // The TTLs a send renews: the log's; at the end also the meta hash's, which the
  // API checks for the stream's owner on resume, so it must last as long as the log.
  private final List<byte[]> logOnly;
  private final List<byte[]> logAndMeta;
  private final List<byte[]> batch = new ArrayList<>();
  private final ArrayDeque<RedisFuture<?>> inFlight = new ArrayDeque<>();
  private boolean ending;
  private long seq;
  private long sent;
  private long ttlRenewedAt;

  FrameWriter(FrameCommands redis, String requestId, Duration ttl) {
    this.redis = redis;
    this.events = ChatChannels.events(requestId).getBytes(UTF_8);
    this.log = ChatChannels.log(requestId).getBytes(UTF_8);
    this.ttl = ttl;
    this.ttlMillis = ttl.toMillis();
    this.logOnly = List.of(log);
    this.logAndMeta = List.of(log, ChatChannels.meta(requestId).getBytes(UTF_8));
  }

  /** Adds a chunk frame; it leaves with the next {@link #send()}. */
  public void chunk(String payload) {
    add(StreamFrame.chunk(++seq, payload));
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
    track(redis.publish(events, HEARTBEAT));
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
    List<byte[]> expiring = List.of();
    long now = System.nanoTime();
    if (sent == 0 || ending || now - ttlRenewedAt > ttlMillis * 1_000_000 / 4) {
      expiring = ending ? logAndMeta : logOnly;
      ttlRenewedAt = now;
    }
    sent += batch.size();
    var answers = redis.logThenPublish(log, events, batch, expiring, ttl);
    batch.clear();
    for (var answer : answers) {
      track(answer);
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

  private void track(RedisFuture<?> future) {
    // Answered commands are let go at once: a slow stream (a token a second) kept its last 64
    // commands with their frames, which was most of a stream's heap with 2,000 streams (bench,
    // class histogram) and what every young collection had to copy. Redis answers in order.
    while (!inFlight.isEmpty() && inFlight.peek().isDone()) {
      redis.await(inFlight.poll());
    }
    inFlight.add(future);
    while (inFlight.size() > MAX_IN_FLIGHT) {
      redis.await(inFlight.poll());
    }
  }

  private void flush() {
    send();
    while (!inFlight.isEmpty()) {
      redis.await(inFlight.poll());
    }
  }
}
