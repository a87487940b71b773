package tech.plumeintel.shuzhi.chat.job;

import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/**
 * Takes chat jobs off Kafka and hands each to a stream slot at once: a chat lasts tens of seconds,
 * and a listener that streamed would hold its partition that long. Jobs that cannot be generated at
 * all are thrown back, so they end in {@code chat.requested.dlt}.
 */
@Component
public class ChatJobListener {

  /** The listener container's id, by which it is paused, resumed and watched. */
  public static final String ID = "chat-jobs";

  static final String GROUP = "chat-worker";
  private static final Logger log = LoggerFactory.getLogger(ChatJobListener.class);

  private final StreamSlots slots;
  private final Clock clock;

  ChatJobListener(StreamSlots slots, Clock clock) {
    this.slots = slots;
    this.clock = clock;
  }

  @KafkaListener(id = ID, groupId = GROUP, topics = ChatRequested.TOPIC)
  void onChatRequested(ChatRequested job, @Header(KafkaHeaders.RECEIVED_TIMESTAMP) long sentAt)
      throws InterruptedException {
    validate(job);
    var received = new JobReceived();
    if (received.shouldCommit()) {
      received.requestId = job.requestId();
      received.inApi = sentAt - job.requestedAt().toEpochMilli();
      var now = clock.instant();
      received.inKafka = now.toEpochMilli() - sentAt;
      received.sinceRequested = Duration.between(job.requestedAt(), now).toNanos() / 1_000;
      received.commit();
    }
    log.debug("Job {} received", job.requestId());
    slots.start(job);
  }

  private static void validate(ChatRequested job) {
    if (isBlank(job.requestId())
        || isBlank(job.userId())
        || isBlank(job.isbn())
        || job.pickupDeadline() == null
        || job.requestedAt() == null
        || job.messages().isEmpty()
        || job.messages().getLast().role() != ChatMessage.Role.USER
        || job.messages().stream().anyMatch(m -> m.role() == null || m.content() == null)) {
      throw new InvalidChatJobException(job.requestId());
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  /** A job the API should never have sent; retried, then dead-lettered. */
  static final class InvalidChatJobException extends RuntimeException {
    InvalidChatJobException(String requestId) {
      super("invalid chat job " + requestId);
    }
  }
}
