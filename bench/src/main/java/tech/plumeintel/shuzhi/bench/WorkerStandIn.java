package tech.plumeintel.shuzhi.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * The chat-worker's side of chat streams, played by the bench, so that the API's relay is measured
 * alone, from the worker's publish to the client's read (the relay goal's span): a stream's record
 * as the API keeps it, claimed by no real worker, and its frames written to Redis as the worker
 * writes them (common's contract: logged, then published). Readers reach such a stream as they
 * resume any stream, through {@code GET /api/chat/stream/{id}/}.
 */
final class WorkerStandIn implements AutoCloseable {

  private static final Duration KEPT = Duration.ofMinutes(10);

  private final RedisClient redis;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> commands;
  private final AtomicLong streams = new AtomicLong();
  private final String run = Long.toString(System.currentTimeMillis(), 36);

  WorkerStandIn(int redisPort) {
    this.redis = RedisClient.create("redis://127.0.0.1:" + redisPort);
    this.connection = redis.connect();
    // Commands leave when flush() is called: the tokens due together go in one write, as the
    // chat-worker writes what it has queued (a write per command cost the bench more CPU than the
    // API it measures, on the same two cores).
    connection.setAutoFlushCommands(false);
    this.commands = connection.async();
  }

  /**
   * A new stream of {@code userId}'s about {@code isbn}, already claimed, so no worker takes it.
   */
  String open(String userId, String isbn) throws Exception {
    var requestId = "bench-relay-" + run + "-" + streams.incrementAndGet();
    var meta = ChatChannels.meta(requestId);
    var written =
        commands.hset(
            meta,
            Map.of(
                ChatChannels.META_USER,
                userId,
                ChatChannels.META_ISBN,
                isbn,
                ChatChannels.META_WORKER,
                "bench"));
    var expiring = commands.pexpire(meta, KEPT.toMillis());
    flush();
    written.get(10, TimeUnit.SECONDS);
    expiring.get(10, TimeUnit.SECONDS);
    return requestId;
  }

  /**
   * A content token stamped with the time it is published (the client reads the stamp as {@link
   * ChatStream} reads the LLM stand-in's); sent with the next {@link #flush()}.
   */
  void token(String requestId, long seq) {
    var payload = LlmStandIn.chunk(requestId, LlmStandIn.stampedDelta("content"), "null");
    publish(requestId, StreamFrame.chunk(seq, payload), seq == 1);
  }

  /** Sends what was written since the last flush, in one write; does not wait for Redis. */
  void flush() {
    connection.flushCommands();
  }

  /** The stream's end, as frame {@code seq}; sent with the next {@link #flush()}. */
  void done(String requestId, long seq) {
    publish(requestId, StreamFrame.done(seq), false);
  }

  /**
   * In the worker's order: the log first, so a reader that reads the log after subscribing misses
   * none.
   */
  private void publish(String requestId, StreamFrame frame, boolean first) {
    var encoded = frame.encode();
    var log = ChatChannels.log(requestId);
    commands.rpush(log, encoded);
    if (first) {
      commands.pexpire(log, KEPT.toMillis());
    }
    commands.publish(ChatChannels.events(requestId), encoded);
  }

  @Override
  public void close() {
    connection.close();
    redis.shutdown();
  }
}
