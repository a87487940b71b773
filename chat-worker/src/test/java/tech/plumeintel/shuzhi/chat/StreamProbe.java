package tech.plumeintel.shuzhi.chat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/** Listens to streams as the API does: subscribes to a request's events channel, reads its log. */
final class StreamProbe implements AutoCloseable {

  private final RedisClient client;
  private final StatefulRedisPubSubConnection<String, String> pubSub;
  private final StatefulRedisConnection<String, String> commands;
  private final Map<String, List<StreamFrame>> received = new ConcurrentHashMap<>();

  StreamProbe(String redisUrl) {
    client = RedisClient.create(redisUrl);
    pubSub = client.connectPubSub();
    commands = client.connect();
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            received
                .computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
                .add(StreamFrame.decode(message));
          }
        });
  }

  /** Subscribes before the job is sent, as the API does, so no frame is missed. */
  void listen(String requestId) {
    received.putIfAbsent(ChatChannels.events(requestId), new CopyOnWriteArrayList<>());
    pubSub.sync().subscribe(ChatChannels.events(requestId));
  }

  /** Every frame published so far, heartbeats included. */
  List<StreamFrame> frames(String requestId) {
    return List.copyOf(received.getOrDefault(ChatChannels.events(requestId), List.of()));
  }

  /** Frames published so far without heartbeats: what the log should hold. */
  List<StreamFrame> events(String requestId) {
    return frames(requestId).stream()
        .filter(frame -> frame.kind() != StreamFrame.Kind.HEARTBEAT)
        .toList();
  }

  boolean ended(String requestId) {
    return events(requestId).stream().anyMatch(frame -> frame.kind().endsStream());
  }

  List<StreamFrame> log(String requestId) {
    return commands.sync().lrange(ChatChannels.log(requestId), 0, -1).stream()
        .map(StreamFrame::decode)
        .toList();
  }

  long logTtlMillis(String requestId) {
    return commands.sync().pttl(ChatChannels.log(requestId));
  }

  long metaTtlMillis(String requestId) {
    return commands.sync().pttl(ChatChannels.meta(requestId));
  }

  String worker(String requestId) {
    return commands.sync().hget(ChatChannels.meta(requestId), ChatChannels.META_WORKER);
  }

  /** The stream's lease's expiry in {@code chat:leases}, or null when no worker holds one. */
  @Nullable Double lease(String requestId) {
    return commands.sync().zscore(ChatChannels.LEASES, requestId);
  }

  void cancel(String requestId) {
    commands.sync().publish(ChatChannels.cancel(requestId), "1");
  }

  void markCancelled(String requestId) {
    commands.sync().hset(ChatChannels.meta(requestId), ChatChannels.META_CANCELLED, "1");
  }

  @Override
  public void close() {
    pubSub.close();
    commands.close();
    client.shutdown();
  }
}
