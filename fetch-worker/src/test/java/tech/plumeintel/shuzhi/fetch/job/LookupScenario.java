package tech.plumeintel.shuzhi.fetch.job;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;

/**
 * The worker as it runs: jobs published to real Kafka, stand-ins of the three sources and the cover
 * host, real Redis and a Mongo-wire store. The test classes extending it share one context (and its
 * stand-ins, which live as long as the test JVM), so every test uses ISBNs of its own.
 */
@SpringBootTest(
    properties = {
      "shuzhi.books.http.retry-backoff=20ms",
      "shuzhi.books.douban.request-timeout=700ms",
      "shuzhi.books.douban.requests-per-second=50",
      "shuzhi.books.google.requests-per-second=50",
      "shuzhi.books.covers.requests-per-second=50",
      "shuzhi.books.openlibrary.requests-per-second=3"
    })
@RealInfrastructure
abstract class LookupScenario {

  static final SourceStandIn douban = SourceStandIn.start();
  static final SourceStandIn openLibrary = SourceStandIn.start();
  static final SourceStandIn covers = SourceStandIn.start();
  static final SourceStandIn google = SourceStandIn.start();
  static final byte[] COVER = "\u00ff\u00d8\u00ff fake jpeg".getBytes(StandardCharsets.ISO_8859_1);

  @DynamicPropertySource
  static void sources(DynamicPropertyRegistry registry) {
    registry.add("shuzhi.books.douban.base-url", () -> douban.baseUrl().toString());
    registry.add("shuzhi.books.openlibrary.base-url", () -> openLibrary.baseUrl().toString());
    registry.add("shuzhi.books.openlibrary.covers-base-url", () -> covers.baseUrl().toString());
    registry.add("shuzhi.books.google.base-url", () -> google.baseUrl().toString());
  }

  @Autowired StringRedisTemplate redis;
  @Autowired KafkaTemplate<Object, Object> kafka;
  @Autowired MongoDatabase database;

  String lookUp(Isbn isbn) throws Exception {
    var taskId = newTask(isbn);
    publish(taskId, isbn, Instant.now().plusSeconds(30));
    return taskId;
  }

  String lookUpUnchecked(Isbn isbn) {
    try {
      return lookUp(isbn);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the task as the API does. */
  String newTask(Isbn isbn) {
    var taskId = UUID.randomUUID().toString();
    var key = BookTasks.task(taskId);
    redis
        .opsForHash()
        .putAll(
            key,
            Map.of(
                BookTasks.FIELD_STATUS, "pending",
                BookTasks.FIELD_ISBN, isbn.value(),
                BookTasks.FIELD_CREATED_AT, Instant.now().toString()));
    redis.expire(key, Duration.ofDays(1));
    redis.opsForValue().set(BookTasks.inFlight(isbn), taskId, Duration.ofMinutes(5));
    return taskId;
  }

  void publish(String taskId, Isbn isbn, Instant deadline) throws Exception {
    kafka
        .send(
            BookFetchRequested.TOPIC,
            isbn.value(),
            new BookFetchRequested(taskId, isbn.value(), Instant.now(), deadline))
        .get(10, TimeUnit.SECONDS);
  }

  Map<Object, Object> awaitEnd(String taskId) {
    var key = BookTasks.task(taskId);
    await()
        .atMost(30, TimeUnit.SECONDS)
        .until(
            () -> {
              var status = (String) redis.opsForHash().get(key, BookTasks.FIELD_STATUS);
              return "succeeded".equals(status) || "failed".equals(status);
            });
    var task = redis.opsForHash().entries(key);
    assertThat(redis.getExpire(key, TimeUnit.SECONDS)).as("the task keeps its TTL").isPositive();
    return task;
  }

  Book storedBook(Isbn isbn) {
    var book =
        database.getCollection(Book.COLLECTION, Book.class).find(eq("_id", isbn.value())).first();
    assertThat(book).as("book %s in MongoDB", isbn).isNotNull();
    return book;
  }
}
