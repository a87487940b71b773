package tech.plumeintel.shuzhi.chat.stream;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.platform.PlatformAutoConfiguration;

/**
 * The Redis commands of every stream, on one connection of the service's one Redis client: Lettuce
 * pipelines the commands of all threads on it, and the commands one thread sends reach Redis in
 * that order, which is what keeps each frame's RPUSH before its PUBLISH ({@link ChatChannels}).
 *
 * <p>The connection speaks bytes, not strings: frames are ASCII already, and Lettuce's string codec
 * encoded every frame character by character on its one I/O thread (bench, JFR). Keys are the UTF-8
 * bytes of the names in {@link ChatChannels}, as the API's string codec writes them. Commands that
 * belong together are built here and go out with one {@code dispatch}, so one write and one flush,
 * which Lettuce's typed API (one write per call) cannot do on a connection shared by all streams.
 */
@Component
class FrameCommands implements SmartLifecycle {

  private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

  private final RedisClient redis;
  private final Duration timeout;
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile boolean running = true;

  FrameCommands(RedisClient redis) {
    this.redis = redis;
    this.connection = redis.connect(CODEC);
    this.timeout = connection.getTimeout();
  }

  /** Opens the connection again once Redis's client is back (see {@link #getPhase()}). */
  @Override
  public void start() {
    connection = redis.connect(CODEC);
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    connection.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PlatformAutoConfiguration.AFTER_REDIS;
  }

  /** The three answers a claim needs, asked in one write. */
  record ClaimReplies(
      RedisFuture<Boolean> claimed,
      RedisFuture<byte @Nullable []> cancelled,
      RedisFuture<Long> ttl) {}

  /**
   * {@code HSETNX meta <worker field> <worker>}, {@code HGET meta <cancelled field>}, {@code TTL
   * meta} and {@code PUBLISH events <taken>}, in one write.
   */
  ClaimReplies claim(
      byte[] meta,
      byte[] workerField,
      byte[] worker,
      byte[] cancelledField,
      byte[] events,
      byte[] taken) {
    var claimed =
        command(
            CommandType.HSETNX,
            new BooleanOutput<>(CODEC),
            args().addKey(meta).addValue(workerField).addValue(worker));
    var cancelled =
        command(
            CommandType.HGET,
            new ValueOutput<>(CODEC),
            args().addKey(meta).addValue(cancelledField));
    var ttl = command(CommandType.TTL, new IntegerOutput<>(CODEC), args().addKey(meta));
    connection.dispatch(List.of(claimed, cancelled, ttl, publishCommand(events, taken)));
    return new ClaimReplies(claimed, cancelled, ttl);
  }

  /** {@code PEXPIRE key ttl}. */
  RedisFuture<Boolean> expire(byte[] key, Duration ttl) {
    var expire = pexpire(key, ttl.toMillis());
    connection.dispatch(expire);
    return expire;
  }

  /**
   * In one write: {@code RPUSH log} of all the frames, {@code PEXPIRE} of each key in {@code
   * expiring}, then {@code PUBLISH events} of each frame. Redis runs them in this order, after any
   * sent before, so every frame is in the log before it is published.
   *
   * @return the commands' answers, in the order they were sent
   */
  List<? extends RedisFuture<?>> logThenPublish(
      byte[] log, byte[] events, List<byte[]> frames, List<byte[]> expiring, Duration ttl) {
    var commands = new ArrayList<AsyncCommand<byte[], byte[], ?>>(frames.size() + 3);
    commands.add(
        command(
            CommandType.RPUSH, new IntegerOutput<>(CODEC), args().addKey(log).addValues(frames)));
    for (var key : expiring) {
      commands.add(pexpire(key, ttl.toMillis()));
    }
    for (var frame : frames) {
      commands.add(publishCommand(events, frame));
    }
    connection.dispatch(commands);
    return commands;
  }

  /** {@code PUBLISH channel message}, without a log entry (heartbeats). */
  RedisFuture<Long> publish(byte[] channel, byte[] message) {
    var publish = publishCommand(channel, message);
    connection.dispatch(publish);
    return publish;
  }

  /**
   * Waits for a command's answer, at most the client's command timeout.
   *
   * @throws FrameDeliveryException when Redis refused, failed or did not answer in time
   */
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

  private static AsyncCommand<byte[], byte[], Long> publishCommand(byte[] channel, byte[] message) {
    return command(
        CommandType.PUBLISH, new IntegerOutput<>(CODEC), args().addKey(channel).addValue(message));
  }

  private static AsyncCommand<byte[], byte[], Boolean> pexpire(byte[] key, long millis) {
    return command(CommandType.PEXPIRE, new BooleanOutput<>(CODEC), args().addKey(key).add(millis));
  }

  private static CommandArgs<byte[], byte[]> args() {
    return new CommandArgs<>(CODEC);
  }

  private static <T> AsyncCommand<byte[], byte[], T> command(
      CommandType type, CommandOutput<byte[], byte[], T> output, CommandArgs<byte[], byte[]> args) {
    return new AsyncCommand<>(new Command<>(type, output, args));
  }
}
