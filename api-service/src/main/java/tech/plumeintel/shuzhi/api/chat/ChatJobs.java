package tech.plumeintel.shuzhi.api.chat;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
   * @return when the job stops being worth starting
   */
  Instant publish(String requestId, String userId, String isbn, List<ChatMessage> messages) {
    var now = clock.instant();
    var deadline = now.plus(properties.pickupTimeout());
    var job = new ChatRequested(requestId, userId, isbn, messages, now, deadline);
    try {
      kafka
          .send(ChatRequested.TOPIC, userId, job)
          .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return deadline;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw ApiException.upstream("对话服务暂时不可用，请稍后再试", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.upstream("对话服务暂时不可用，请稍后再试", e);
    }
  }
}
