package tech.plumeintel.shuzhi.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * The chat-worker's side of chat streams, played by the bench, so that the API's relay is measured
 * alone, from the worker's publish to the client's read (the relay goal's span): a stream's record
 * as the API keeps it, claimed by no real worker, and its frames written to Redis as the worker
 * writes them (common's contract: logged, then published). Readers reach such a stream as they
 * resume any stream, through {@code GET /api/chat/stream/{id}/}.
 *
 * <p>Jedis, not the services' Lettuce: the bench shares the machine's two cores with the API it
 * measures, and Lettuce's futures and event loop cost it 0.40 cores to write 20,000 tokens/s
 * (flight recording of the relay phase, 2026-12-05), more than half of what the API spent relaying
 * them. A Jedis pipeline encodes on the writing thread and reads the replies once per flush.
 */
final class WorkerStandIn implements AutoCloseable {

  private static final Duration KEPT = Duration.ofMinutes(10);

  private final String host = "127.0.0.1";
  private final int port;
  private final Jedis records;
  private final AtomicLong streams = new AtomicLong();
  private final String run = Long.toString(System.currentTimeMillis(), 36);

  WorkerStandIn(int redisPort) {
    this.port = redisPort;
    this.records = new Jedis(host, redisPort);
  }

  /**
   * A new stream of {@code userId}'s about {@code isbn}, already claimed, so no worker takes it.
   */
  String open(String userId, String isbn) {
    var requestId = "bench-relay-" + run + "-" + streams.incrementAndGet();
    var meta = ChatChannels.meta(requestId);
    records.hset(
        meta,
        Map.of(
            ChatChannels.META_USER,
            userId,
            ChatChannels.META_ISBN,
            isbn,
            ChatChannels.META_WORKER,
            "bench"));
    records.pexpire(meta, KEPT.toMillis());
    return requestId;
  }

  /** A connection of its own that writes frames; for one thread. */
  Feed feed() {
    return new Feed(new Jedis(host, port));
  }

  /** Frames written as the chat-worker writes them, sent together at each {@link #flush()}. */
  static final class Feed implements AutoCloseable {

    private final Jedis connection;
    private final Pipeline pipeline;

    private Feed(Jedis connection) {
      this.connection = connection;
      this.pipeline = connection.pipelined();
    }

    /**
     * A content token stamped with the time it is written (the client reads the stamp as {@link
     * ChatStream} reads the LLM stand-in's); sent with the next {@link #flush()}.
     */
    void token(String requestId, long seq) {
      var payload = LlmStandIn.chunk(requestId, LlmStandIn.stampedDelta("content"), "null");
      publish(requestId, StreamFrame.chunk(seq, payload), seq == 1);
    }

    /** The stream's end, as frame {@code seq}; sent with the next {@link #flush()}. */
    void done(String requestId, long seq) {
      publish(requestId, StreamFrame.done(seq), false);
    }

    /** Sends what was written since the last flush, in one write, and reads Redis's replies. */
    void flush() {
      pipeline.sync();
    }

    /**
     * In the worker's order: the log first, so a reader that reads the log after subscribing misses
     * none.
     */
    private void publish(String requestId, StreamFrame frame, boolean first) {
      var encoded = frame.encode();
      var log = ChatChannels.log(requestId);
      pipeline.rpush(log, encoded);
      if (first) {
        pipeline.pexpire(log, KEPT.toMillis());
      }
      pipeline.publish(ChatChannels.events(requestId), encoded);
    }

    @Override
    public void close() {
      pipeline.close();
      connection.close();
    }
  }

  @Override
  public void close() {
    records.close();
  }
}
