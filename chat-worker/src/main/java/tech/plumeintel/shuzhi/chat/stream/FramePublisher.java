package tech.plumeintel.shuzhi.chat.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;

/**
 * The worker's Redis side of every stream: claims jobs in the meta hash and opens {@link
 * FrameWriter}s. All streams share one connection, opened from the client Boot configured: Lettuce
 * pipelines the commands of all threads on it, and the commands one thread sends reach Redis in
 * that order, which is what keeps each frame's RPUSH before its PUBLISH.
 *
 * <p>The connection speaks bytes, not strings: frames are ASCII already, and Lettuce's string codec
 * encoded every frame character by character on its one I/O thread (bench, JFR). Keys are the UTF-8
 * bytes of the names in {@link ChatChannels}, as the API's string codec writes them. Commands that
 * belong together go out with one {@code dispatch}, so one write and one flush.
 */
@Component
public class FramePublisher implements DisposableBean {

  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;
  private static final byte[] WORKER = ChatChannels.META_WORKER.getBytes(UTF_8);
  private static final byte[] CANCELLED = ChatChannels.META_CANCELLED.getBytes(UTF_8);

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final StreamProperties properties;
  private final Duration timeout;
  private final byte[] workerId;

  FramePublisher(LettuceConnectionFactory factory, StreamProperties properties) {
    // Standalone Redis, as the contract has it; a cluster client would need another connect call.
    this.connection = ((RedisClient) factory.getRequiredNativeClient()).connect(CODEC);
    this.properties = properties;
    this.timeout = factory.getClientConfiguration().getCommandTimeout();
    this.workerId =
        (properties.workerId() != null && !properties.workerId().isBlank()
                ? properties.workerId()
                : ManagementFactory.getRuntimeMXBean().getName())
            .getBytes(UTF_8);
  }

  /**
   * Starts claiming a job with {@code HSETNX meta worker <id>}, so a redelivered record is
   * generated once, and reading whether the API marked it cancelled before any worker took it. The
   * answer is awaited by {@link PendingClaim#result()}, so the caller can read the book in the
   * meantime.
   */
  public PendingClaim claim(String requestId) {
    var meta = ChatChannels.meta(requestId).getBytes(UTF_8);
    var claimed =
        command(
            CommandType.HSETNX,
            new BooleanOutput<>(CODEC),
            args().addKey(meta).addValue(WORKER).addValue(workerId));
    var cancelled =
        command(
            CommandType.HGET, new ValueOutput<>(CODEC), args().addKey(meta).addValue(CANCELLED));
    var ttl = command(CommandType.TTL, new IntegerOutput<>(CODEC), args().addKey(meta));
    connection.dispatch(List.of(claimed, cancelled, ttl));
    return new PendingClaim(meta, claimed, cancelled, ttl);
  }

  /** A claim sent to Redis, not yet answered. */
  public final class PendingClaim {

    private final byte[] meta;
    private final AsyncCommand<byte[], byte[], Boolean> claimed;
    private final AsyncCommand<byte[], byte[], byte @Nullable []> cancelled;
    private final AsyncCommand<byte[], byte[], Long> ttl;

    private PendingClaim(
        byte[] meta,
        AsyncCommand<byte[], byte[], Boolean> claimed,
        AsyncCommand<byte[], byte[], byte @Nullable []> cancelled,
        AsyncCommand<byte[], byte[], Long> ttl) {
      this.meta = meta;
      this.claimed = claimed;
      this.cancelled = cancelled;
      this.ttl = ttl;
    }

    /** Waits for Redis's answer. */
    public Claim result() {
      if (!Boolean.TRUE.equals(await(claimed))) {
        return Claim.ALREADY_TAKEN;
      }
      Long left = await(ttl);
      if (left != null && left == -1) {
        // The API normally creates the hash with a TTL; HSETNX must not leave one that never
        // expires.
        var expire =
            command(
                CommandType.PEXPIRE,
                new BooleanOutput<>(CODEC),
                args().addKey(meta).add(properties.logTtl().toMillis()));
        connection.dispatch(expire);
        await(expire);
      }
      var value = await(cancelled);
      var flag = value == null ? "" : new String(value, UTF_8);
      boolean isCancelled = !flag.isEmpty() && !flag.equals("0") && !flag.equalsIgnoreCase("false");
      return isCancelled ? Claim.CANCELLED : Claim.TAKEN;
    }
  }

  /** Starts writing the frames of a stream, numbered from 1. */
  public FrameWriter open(String requestId) {
    return new FrameWriter(this, requestId, 0);
  }

  /** Goes on writing a stream another worker began, numbering from {@code lastSeq + 1}. */
  public FrameWriter openAfter(String requestId, long lastSeq) {
    return new FrameWriter(this, requestId, lastSeq);
  }

  static CommandArgs<byte[], byte[]> args() {
    return new CommandArgs<>(CODEC);
  }

  static <T> AsyncCommand<byte[], byte[], T> command(
      CommandType type, CommandOutput<byte[], byte[], T> output, CommandArgs<byte[], byte[]> args) {
    return new AsyncCommand<>(new Command<>(type, output, args));
  }

  static IntegerOutput<byte[], byte[]> integer() {
    return new IntegerOutput<>(CODEC);
  }

  static BooleanOutput<byte[], byte[]> bool() {
    return new BooleanOutput<>(CODEC);
  }

  /** Sends commands in one write; Redis runs them in this order, after any sent before. */
  void dispatch(List<? extends RedisCommand<byte[], byte[], ?>> commands) {
    connection.dispatch(commands);
  }

  void dispatch(RedisCommand<byte[], byte[], ?> command) {
    connection.dispatch(command);
  }

  Duration logTtl() {
    return properties.logTtl();
  }

  <T> T await(RedisFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new FrameDeliveryException("Redis command failed", e.getCause());
    } catch (TimeoutException e) {
      throw new FrameDeliveryException("Redis did not answer in " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FrameDeliveryException("interrupted waiting for Redis", e);
    }
  }

  @Override
  public void destroy() {
    connection.close();
  }
}
