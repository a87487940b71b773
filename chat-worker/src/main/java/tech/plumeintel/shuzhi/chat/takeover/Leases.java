package tech.plumeintel.shuzhi.chat.takeover;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.stream.StreamProperties;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tools.jackson.databind.json.JsonMapper;

/**
 * The leases on the streams being generated, in Redis ({@link ChatChannels#LEASES}): a worker holds
 * one for each of its streams and renews them all with one command now and then; when a worker dies
 * its leases lapse, and another worker claims the stream (atomically, in a script, so exactly one
 * does) and continues it. Times are Redis's, so workers' clocks need not agree.
 */
@Component
public class Leases {

  private static final RedisScript<Long> HOLD =
      RedisScript.of(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
          redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[4])
          return 1
          """,
          Long.class);

  // Renews the leases this worker still owns; returns those another worker has claimed since.
  @SuppressWarnings("rawtypes")
  private static final RedisScript<List> RENEW =
      RedisScript.of(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local lost = {}
          for i = 3, #ARGV do
            local owner = redis.call('HGET', 'chat:' .. ARGV[i] .. ':meta', 'worker')
            if owner == ARGV[2] then
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[i])
            else
              table.insert(lost, ARGV[i])
            end
          end
          return lost
          """,
          List.class);

  // Claims up to ARGV[1] lapsed streams for this worker; returns id, takeover count, id, ...
  @SuppressWarnings("rawtypes")
  private static final RedisScript<List> CLAIM =
      RedisScript.of(
          """
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
          local claimed = {}
          for i, id in ipairs(lapsed) do
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), id)
            local meta = 'chat:' .. id .. ':meta'
            redis.call('HSET', meta, 'worker', ARGV[3])
            table.insert(claimed, id)
            table.insert(claimed, tostring(redis.call('HINCRBY', meta, 'takeovers', 1)))
          end
          return claimed
          """,
          List.class);

  private final StringRedisTemplate redis;
  private final TakeoverProperties properties;
  private final StreamProperties streams;
  private final JsonMapper json = JsonMapper.builder().build();
  private final String workerId;
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  Leases(StringRedisTemplate redis, TakeoverProperties properties, StreamProperties streams) {
    this.redis = redis;
    this.properties = properties;
    this.streams = streams;
    this.workerId =
        streams.workerId() != null && !streams.workerId().isBlank()
            ? streams.workerId()
            : ManagementFactory.getRuntimeMXBean().getName();
  }

  /** The name this worker writes into the meta hash when it claims a stream. */
  public String workerId() {
    return workerId;
  }

  /** Holds the lease on a stream this worker generates, keeping its job for whoever continues. */
  public void hold(ChatRequested job) {
    if (!properties.enabled()) {
      return;
    }
    held.add(job.requestId());
    redis.execute(
        HOLD,
        List.of(ChatChannels.LEASES, ChatChannels.job(job.requestId())),
        Long.toString(properties.lease().toMillis()),
        json.writeValueAsString(job),
        Long.toString(streams.logTtl().toMillis()),
        job.requestId());
  }

  /** The stream ended here: no one is to continue it. */
  public void release(String requestId) {
    held.remove(requestId);
    if (properties.enabled()) {
      redis.opsForZSet().remove(ChatChannels.LEASES, requestId);
    }
  }

  /** A claimed stream this worker cannot take after all: lapsed at once, for another to claim. */
  void giveBack(String requestId) {
    held.remove(requestId);
    redis.opsForZSet().add(ChatChannels.LEASES, requestId, 0);
  }

  /** Renews every lease this worker holds; returns the streams another worker has claimed since. */
  @SuppressWarnings("unchecked")
  List<String> renew() {
    if (held.isEmpty()) {
      return List.of();
    }
    var args = new ArrayList<String>(held.size() + 2);
    args.add(Long.toString(properties.lease().toMillis()));
    args.add(workerId);
    args.addAll(held);
    List<String> lost =
        redis.execute(RENEW, List.of(ChatChannels.LEASES), args.toArray(Object[]::new));
    if (lost != null) {
      lost.forEach(held::remove);
    }
    return lost == null ? List.of() : lost;
  }

  /** A stream claimed from a worker that died, and how often it has been taken over. */
  record Claimed(String requestId, int takeovers) {}

  @SuppressWarnings("unchecked")
  List<Claimed> claimLapsed(int most) {
    List<String> claimed =
        redis.execute(
            CLAIM,
            List.of(ChatChannels.LEASES),
            Integer.toString(most),
            Long.toString(properties.lease().toMillis()),
            workerId);
    var result = new ArrayList<Claimed>();
    if (claimed != null) {
      for (int i = 0; i + 1 < claimed.size(); i += 2) {
        result.add(new Claimed(claimed.get(i), Integer.parseInt(claimed.get(i + 1))));
        held.add(claimed.get(i));
      }
    }
    return result;
  }

  Optional<ChatRequested> job(String requestId) {
    @Nullable String text = redis.opsForValue().get(ChatChannels.job(requestId));
    return text == null ? Optional.empty() : Optional.of(json.readValue(text, ChatRequested.class));
  }

  List<String> log(String requestId) {
    var frames = redis.opsForList().range(ChatChannels.log(requestId), 0, -1);
    return frames == null ? List.of() : frames;
  }
}
