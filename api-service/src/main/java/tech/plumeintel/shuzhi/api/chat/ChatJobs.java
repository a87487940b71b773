package tech.plumeintel.shuzhi.api.chat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/** Hands chats to the chat-workers through Kafka, waiting a bounded time for the broker's ack. */
@Component
class ChatJobs {

  private final KafkaTemplate<String, Object> kafka;
  private final ChatProperties properties;
  private final Clock clock;

  ChatJobs(KafkaTemplate<String, Object> kafka, ChatProperties properties, Clock clock) {
    this.kafka = kafka;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * Sends the job to Kafka; {@link Sent#await()} waits for the broker's ack. A worker can have the
   * job before the ack is back here, so the caller does what it must in the meantime.
   */
  Sent send(String requestId, String userId, String isbn, List<ChatMessage> messages) {
    var now = clock.instant();
    var job =
        new ChatRequested(
            requestId, userId, isbn, messages, now, now.plus(properties.pickupTimeout()));
    CompletableFuture<?> acked;
    try {
      acked = kafka.send(ChatRequested.TOPIC, userId, job);
    } catch (RuntimeException e) {
      throw unavailable(e);
    }
    return () -> {
      try {
        acked.get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw unavailable(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable(e);
      }
    };
  }

  /** A job sent to Kafka, its ack not yet awaited. */
  interface Sent {
    /**
     * @throws ApiException {@code UPSTREAM} when the broker did not take the job in time
     */
    void await();
  }

  private static ApiException unavailable(Exception cause) {
    return ApiException.upstream("对话服务暂时不可用，请稍后再试", cause);
  }
}
