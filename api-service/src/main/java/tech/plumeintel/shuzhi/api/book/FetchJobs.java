package tech.plumeintel.shuzhi.api.book;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * Hands lookups to the fetch-workers through Kafka, waiting a bounded time for the broker's ack.
 */
@Component
class FetchJobs {

  private final KafkaTemplate<String, Object> kafka;
  private final BooksProperties properties;
  private final Clock clock;

  FetchJobs(KafkaTemplate<String, Object> kafka, BooksProperties properties, Clock clock) {
    this.kafka = kafka;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * @throws ApiException {@code UPSTREAM_ERROR} when Kafka does not take the job in time
   */
  void publish(String taskId, Isbn isbn, Instant deadline) {
    var job =
        new BookFetchRequested(
            taskId, isbn.value(), clock.instant(), deadline, properties.freshness());
    try {
      kafka
          .send(BookFetchRequested.TOPIC, isbn.value(), job)
          .get(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw ApiException.upstream("查书服务暂时不可用，请稍后再试", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.upstream("查书服务暂时不可用，请稍后再试", e);
    }
  }
}
