package tech.plumeintel.shuzhi.api.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.RateLimits;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * What Redis keeps about each stream: its owner, its replay log, its idempotency key, its cancel.
 */
@Component
class StreamRecords {

  private static final Logger log = LoggerFactory.getLogger(StreamRecords.class);

  private static final RedisScript<Long> OPEN =
      RedisScript.of(
          "redis.call('HSET', KEYS[1], unpack(ARGV, 2));"
              + " return redis.call('PEXPIRE', KEYS[1], ARGV[1])",
          Long.class);

  private final StringRedisTemplate redis;
  private final ChatProperties properties;

  StreamRecords(StringRedisTemplate redis, ChatProperties properties) {
    this.redis = redis;
    this.properties = properties;
  }

  /**
   * The claim of a client message id for a new stream, for the chat's limits to take in their round
   * trip to Redis: a client that sends the message again within the idempotency window is attached
   * to the stream that holds it.
   */
  RateLimits.Claim clientMessage(String userId, String clientMsgId, String requestId) {
    return new RateLimits.Claim(
        clientMessageKey(userId, clientMsgId), requestId, properties.idempotencyWindow());
  }

  /**
   * Claims a client message id for a new stream, for when the limits could not take the {@link
   * #clientMessage} claim.
   *
   * @return the stream that already answers this message, if the client sent it before
   */
  Optional<String> claimClientMessage(String userId, String clientMsgId, String requestId) {
    var key = clientMessageKey(userId, clientMsgId);
    var claimed = redis.opsForValue().setIfAbsent(key, requestId, properties.idempotencyWindow());
    if (Boolean.TRUE.equals(claimed)) {
      return Optional.empty();
    }
    return Optional.ofNullable(redis.opsForValue().get(key));
  }

  /**
   * Whether a stream answers this client message already; false also when Redis cannot say (the
   * caller then treats the message as a new chat, which it may be).
   */
  boolean answers(String userId, String clientMsgId) {
    try {
      return redis.hasKey(clientMessageKey(userId, clientMsgId));
    } catch (RuntimeException e) {
      log.warn("Client message's stream not looked up: {}", e.toString());
      return false;
    }
  }

  void releaseClientMessage(String userId, String clientMsgId) {
    redis.delete(clientMessageKey(userId, clientMsgId));
  }

  private static String clientMessageKey(String userId, String clientMsgId) {
    return "chat:client-msg:" + userId + ":" + clientMsgId;
  }

  /**
   * A new stream's record (its owner and book, with its retention), for the chat's limits to write
   * in their round trip to Redis.
   */
  RateLimits.AdmittedRecord opening(String requestId, String userId, String isbn) {
    return new RateLimits.AdmittedRecord(
        ChatChannels.meta(requestId),
        List.of(ChatChannels.META_USER, userId, ChatChannels.META_ISBN, isbn),
        properties.metaRetention());
  }

  /**
   * Removes the record of a stream that was refused, or attached to another, before it began, and
   * the claim of its client message when it held one, in one command. A failure is only logged: the
   * request's own answer (its refusal) matters more, and both go with their retention anyway.
   */
  void discardQuietly(String requestId, RateLimits.@Nullable Claim claim) {
    try {
      var meta = ChatChannels.meta(requestId);
      redis.delete(claim == null ? List.of(meta) : List.of(meta, claim.key()));
    } catch (RuntimeException e) {
      log.warn("Record of unstarted stream {} not removed: {}", requestId, e.toString());
    }
  }

  /**
   * Records a new stream's owner and book, with its retention, in one command: one round trip to
   * Redis on the shared connection (a pipeline would take a dedicated connection of its own). For
   * when the limits could not write the {@link #opening} they were given.
   */
  void open(RateLimits.AdmittedRecord record) {
    var arguments = new ArrayList<String>();
    arguments.add(Long.toString(record.retention().toMillis()));
    arguments.addAll(record.fields());
    redis.execute(OPEN, List.of(record.key()), arguments.toArray());
  }

  /** The stream's owner, or empty when it does not exist (or no longer). */
  Optional<String> owner(String requestId) {
    return Optional.ofNullable(
        (String) redis.opsForHash().get(ChatChannels.meta(requestId), ChatChannels.META_USER));
  }

  /**
   * Frames after {@code afterSeq}, up to and including {@code untilSeq} (or to the end if null).
   */
  List<StreamFrame> logged(String requestId, long afterSeq, @Nullable Long untilSeq) {
    // Frame n is at index n - 1, so the first frame after afterSeq is at index afterSeq.
    long end = untilSeq == null ? -1 : untilSeq - 1;
    var encoded = redis.opsForList().range(ChatChannels.log(requestId), afterSeq, end);
    return encoded == null ? List.of() : encoded.stream().map(StreamFrame::decode).toList();
  }

  Optional<StreamFrame> lastLogged(String requestId) {
    return Optional.ofNullable(redis.opsForList().index(ChatChannels.log(requestId), -1))
        .map(StreamFrame::decode);
  }

  /** The user pressed stop: a worker that has the job stops it; one that gets it later drops it. */
  void cancel(String requestId) {
    redis.opsForHash().put(ChatChannels.meta(requestId), ChatChannels.META_CANCELLED, "1");
    redis.convertAndSend(ChatChannels.cancel(requestId), "cancel");
  }
}
