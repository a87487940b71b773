package tech.plumeintel.shuzhi.fetch.job;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;

/**
 * Takes lookup jobs off Kafka. The offset is committed after the job ran, so a job whose worker
 * dies is delivered again; a job that keeps failing, and a record that is not a job, end up on
 * {@code book.fetch.requested.dlt} (the platform's error handler).
 */
@Component
class BookFetchListener {

  private final BookFetchJob job;

  BookFetchListener(BookFetchJob job) {
    this.job = job;
  }

  @KafkaListener(
      id = "book-fetch",
      topics = BookFetchRequested.TOPIC,
      groupId = "fetch-worker",
      concurrency = "${shuzhi.books.fetch.concurrency:3}")
  void on(BookFetchRequested request) {
    job.run(request);
  }
}
