package tech.plumeintel.shuzhi.chat.stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;

/**
 * The worker's Redis side of every stream: claims jobs in the meta hash and opens {@link
 * FrameWriter}s. All streams share one connection, opened from the client Boot configured: Lettuce
 * pipelines the commands of all threads on it, and the commands one thread sends reach Redis in
 * that order, which is what keeps each frame's RPUSH before its PUBLISH.
 */
@Component
public class FramePublisher implements DisposableBean {

  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> redis;
  private final StreamProperties properties;
  private final Duration timeout;
  private final String workerId;

  FramePublisher(LettuceConnectionFactory factory, StreamProperties properties) {
    // Standalone Redis, as the contract has it; a cluster client would need another connect call.
    this.connection = ((RedisClient) factory.getRequiredNativeClient()).connect(StringCodec.UTF8);
    this.redis = connection.async();
    this.properties = properties;
    this.timeout = factory.getClientConfiguration().getCommandTimeout();
    this.workerId = properties.workerId() != null && !properties.workerId().isBlank()
        ? properties.workerId() : ManagementFactory.getRuntimeMXBean().getName();
  }

  /**
   * Claims a job with {@code HSETNX meta worker <id>}, so a redelivered record is generated once,
   * and reads whether the API marked it cancelled before any worker took it.
   */
  public Claim claim(String requestId) {
    var meta = ChatChannels.meta(requestId);
    var claimed = redis.hsetnx(meta, ChatChannels.META_WORKER, workerId);
    var cancelled = redis.hget(meta, ChatChannels.META_CANCELLED);
    var ttl = redis.ttl(meta);
    if (!await(claimed)) {
      return Claim.ALREADY_TAKEN;
    }
    if (await(ttl) == -1) {
      // The API normally creates the hash with a TTL; HSETNX must not leave one that never expires.
      await(redis.pexpire(meta, properties.logTtl().toMillis()));
    }
    var flag = await(cancelled);
    boolean isCancelled = flag != null && !flag.isEmpty() && !flag.equals("0")
        && !flag.equalsIgnoreCase("false");
    return isCancelled ? Claim.CANCELLED : Claim.TAKEN;
  }

  /** Starts writing the frames of a stream, numbered from 1. */
  public FrameWriter open(String requestId) {
    return new FrameWriter(this, requestId);
  }

  RedisAsyncCommands<String, String> redis() {
    return redis;
  }

  Duration timeout() {
    return timeout;
  }

  Duration logTtl() {
    return properties.logTtl();
  }

  String workerId() {
    return workerId;
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
