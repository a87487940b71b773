package tech.plumeintel.shuzhi.chat.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.management.ManagementFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * The worker's Redis side of every stream: claims jobs in the meta hash and opens {@link
 * FrameWriter}s, all through the one {@link FrameCommands} connection.
 */
@Component
public class FramePublisher {

  private static final byte[] WORKER = ChatChannels.META_WORKER.getBytes(UTF_8);
  private static final byte[] CANCELLED = ChatChannels.META_CANCELLED.getBytes(UTF_8);
  private static final byte[] HEARTBEAT = StreamFrame.heartbeat().encode().getBytes(UTF_8);

  private final FrameCommands redis;
  private final StreamProperties properties;
  private final byte[] workerId;

  FramePublisher(FrameCommands redis, StreamProperties properties) {
    this.redis = redis;
    this.properties = properties;
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
   * meantime. A heartbeat goes with it: the API counts the job taken from then on, not from the
   * first token, which a thinking model may send seconds later (its busy refusal, {@code
   * PickupBacklog}); a redelivered or cancelled job's heartbeat tells it nothing new.
   */
  public PendingClaim claim(String requestId) {
    var meta = ChatChannels.meta(requestId).getBytes(UTF_8);
    var events = ChatChannels.events(requestId).getBytes(UTF_8);
    return new PendingClaim(
        meta, redis.claim(meta, WORKER, workerId, CANCELLED, events, HEARTBEAT));
  }

  /** A claim sent to Redis, not yet answered. */
  public final class PendingClaim {

    private final byte[] meta;
    private final FrameCommands.ClaimReplies replies;

    private PendingClaim(byte[] meta, FrameCommands.ClaimReplies replies) {
      this.meta = meta;
      this.replies = replies;
    }

    /** Waits for Redis's answer. */
    public Claim result() {
      if (!Boolean.TRUE.equals(redis.await(replies.claimed()))) {
        return Claim.ALREADY_TAKEN;
      }
      Long left = redis.await(replies.ttl());
      if (left != null && left == -1) {
        // The API normally creates the hash with a TTL; HSETNX must not leave one that never
        // expires.
        redis.await(redis.expire(meta, properties.logTtl()));
      }
      var value = redis.await(replies.cancelled());
      var flag = value == null ? "" : new String(value, UTF_8);
      boolean isCancelled = !flag.isEmpty() && !flag.equals("0") && !flag.equalsIgnoreCase("false");
      return isCancelled ? Claim.CANCELLED : Claim.TAKEN;
    }
  }

  /** Starts writing the frames of a stream, numbered from 1. */
  public FrameWriter open(String requestId) {
    return new FrameWriter(redis, requestId, properties.logTtl(), 0);
  }

  /** Goes on writing a stream another worker began, numbering from {@code lastSeq + 1}. */
  public FrameWriter openAfter(String requestId, long lastSeq) {
    return new FrameWriter(redis, requestId, properties.logTtl(), lastSeq);
  }
}
