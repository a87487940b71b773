package tech.plumeintel.shuzhi.fetch.job;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static tech.plumeintel.shuzhi.fetch.SourceStandIn.html;
import static tech.plumeintel.shuzhi.fetch.SourceStandIn.json;
import static tech.plumeintel.shuzhi.fetch.SourceStandIn.redirect;
import static tech.plumeintel.shuzhi.fetch.SourceStandIn.status;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBuckets;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
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
import tech.plumeintel.shuzhi.fetch.Fixtures;
import tech.plumeintel.shuzhi.fetch.SourceStandIn;
import tech.plumeintel.shuzhi.platform.KafkaDeadLetters;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/**
 * Jobs published to real Kafka, run against stand-ins of the three sources and the cover host, with
 * real Redis and a Mongo-wire store. Each test uses its own ISBN, so they share one context.
 */
@SpringBootTest(properties = {
    "shuzhi.books.http.retry-backoff=20ms",
    "shuzhi.books.douban.request-timeout=700ms",
    "shuzhi.books.douban.requests-per-second=50",
    "shuzhi.books.google.requests-per-second=50",
    "shuzhi.books.covers.requests-per-second=50",
    "shuzhi.books.openlibrary.requests-per-second=3"})
@RealInfrastructure
class BookFetchIT {

  private static final SourceStandIn douban = SourceStandIn.start();
  private static final SourceStandIn openLibrary = SourceStandIn.start();
  private static final SourceStandIn covers = SourceStandIn.start();
  private static final SourceStandIn google = SourceStandIn.start();
  private static final byte[] COVER = "\u00ff\u00d8\u00ff fake jpeg".getBytes(StandardCharsets.ISO_8859_1);

  @DynamicPropertySource
  static void sources(DynamicPropertyRegistry registry) {
    registry.add("shuzhi.books.douban.base-url", () -> douban.baseUrl().toString());
    registry.add("shuzhi.books.openlibrary.base-url", () -> openLibrary.baseUrl().toString());
    registry.add("shuzhi.books.openlibrary.covers-base-url", () -> covers.baseUrl().toString());
    registry.add("shuzhi.books.google.base-url", () -> google.baseUrl().toString());
  }

  @AfterAll
  static void stopStandIns() {
    List.of(douban, openLibrary, covers, google).forEach(SourceStandIn::close);
  }

  @Autowired StringRedisTemplate redis;
  @Autowired KafkaTemplate<Object, Object> kafka;
  @Autowired MongoDatabase database;
  @Autowired MeterRegistry meters;

  @Test
  void aJobEndsWithTheBookStoredTheTaskSucceededAndTheCoverMirrored() throws Exception {
    var isbn = Isbn.parse("9787536025080");
    serveDoubanSubject(isbn, "1089243");
    douban.on("/view/subject/l/public/s1076372.jpg",
        SourceStandIn.body(200, "image/jpeg", COVER));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded")
        .containsKey(BookTasks.FIELD_UPDATED_AT);
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("黄金时代");
    assertThat(book.author()).isEqualTo("王小波");
    assertThat(book.publisher()).isEqualTo("花城出版社");
    assertThat(book.rating()).isEqualTo(8.9);
    assertThat(book.coverStored()).isTrue();
    assertThat(book.fetchedAt()).isNotNull();
    assertThat(book.sources()).containsEntry("title", "douban")
        .containsEntry("cover_source_url", "douban").containsEntry("introduction", "douban")
        .allSatisfy((field, source) -> assertThat(source).isEqualTo("douban"));
    var cover = GridFSBuckets.create(database, Book.COVERS_BUCKET)
        .find(eq("filename", isbn.value())).first();
    assertThat(cover).isNotNull();
    assertThat(cover.getLength()).isEqualTo(COVER.length);
    assertThat(cover.getMetadata()).containsEntry("contentType", "image/jpeg");
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
    assertThat(openLibrary.requestsMentioning(isbn.value()))
        .as("a complete Douban page needs no other source").isEmpty();
  }

  @Test
  void aForbiddenDoubanFallsThroughToOpenLibraryAndIsCountedAsBlocked() throws Exception {
    var isbn = Isbn.parse("9780140328721");
    douban.on(doubanIsbnPath(isbn), status(403));
    openLibrary.on("/isbn/" + isbn.value() + ".json", redirect("/books/OL7353617M.json"))
        .on("/books/OL7353617M.json", json(Fixtures.bytes("openlibrary/books-OL7353617M.json")))
        .on("/works/OL45804W.json", json(Fixtures.bytes("openlibrary/works-OL45804W.json")))
        .on("/authors/OL34184A.json", json(Fixtures.bytes("openlibrary/authors-OL34184A.json")));
    covers.on("/b/id/8739161-L.jpg", SourceStandIn.body(200, "image/jpeg", COVER));
    double blockedBefore = blockedCount();

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("Fantastic Mr. Fox");
    assertThat(book.author()).isEqualTo("Roald Dahl");
    assertThat(book.publisher()).isEqualTo("Puffin");
    assertThat(book.pages()).isEqualTo(96);
    assertThat(book.introduction()).startsWith("The main character of Fantastic Mr. Fox");
    assertThat(book.coverSourceUrl()).isEqualTo(covers.baseUrl() + "/b/id/8739161-L.jpg");
    assertThat(book.coverStored()).isTrue();
    assertThat(book.sources()).containsEntry("title", "openlibrary")
        .containsEntry("author", "openlibrary").containsEntry("introduction", "openlibrary")
        .doesNotContainValue("douban");
    assertThat(blockedCount()).isEqualTo(blockedBefore + 1);
    assertThat(douban.requestsMentioning(isbn.value())).as("a refusal is not retried").hasSize(1);
  }

  @Test
  void aDoubanRedirectToItsSecurityCheckIsBlockedAndOpenLibraryAnswers() throws Exception {
    var isbn = Isbn.parse("9780980200447");
    douban.on(doubanIsbnPath(isbn),
        redirect("https://sec.douban.com/b?r=https%3A%2F%2Fbook.douban.com%2Fisbn%2F"));
    openLibrary.on("/isbn/" + isbn.value() + ".json", redirect("/books/OL22853304M.json"))
        .on("/books/OL22853304M.json", json(Fixtures.bytes("openlibrary/books-OL22853304M.json")))
        .on("/works/OL13694821W.json", json(Fixtures.bytes("openlibrary/works-OL13694821W.json")));
    double blockedBefore = blockedCount();

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("Slow reading");
    assertThat(book.introduction()).startsWith("\"A study of voluntary slow reading");
    assertThat(book.coverStored()).as("the cover host has no such image").isFalse();
    assertThat(book.sources()).containsEntry("title", "openlibrary").doesNotContainKey("author");
    assertThat(blockedCount()).isEqualTo(blockedBefore + 1);
    assertThat(google.requestsMentioning(isbn.value()))
        .as("Google is asked for the author Open Library lacks").hasSize(1);
  }

  @Test
  void aBookNoSourceKnowsFailsWithNotFoundAndIsRememberedAsMissing() throws Exception {
    var isbn = Isbn.parse("9787020000005");

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_NOT_FOUND);
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isTrue();
    assertThat(redis.getExpire(BookTasks.missing(isbn), TimeUnit.SECONDS))
        .isBetween(Duration.ofHours(23).toSeconds(), Duration.ofDays(1).toSeconds());
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
    assertThat(database.getCollection(Book.COLLECTION).find(eq("_id", isbn.value())).first())
        .isNull();
    for (var source : List.of(douban, openLibrary, google)) {
      assertThat(source.requestsMentioning(isbn.value())).as("a 404 is not retried").hasSize(1);
    }
  }

  @Test
  void sourcesThatAllFailEndTheTaskWithAnUpstreamErrorAfterRetries() throws Exception {
    var isbn = Isbn.parse("9787020000012");
    douban.on(doubanIsbnPath(isbn), status(500));
    openLibrary.on("/isbn/" + isbn.value() + ".json", status(502));
    google.on("/books/v1/volumes?q=isbn:" + isbn.value(), status(503));

    var taskId = lookUp(isbn);

    var task = awaitEnd(taskId);
    assertThat(task).containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat((String) task.get(BookTasks.FIELD_ERROR_MESSAGE)).isNotBlank();
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isFalse();
    assertThat(douban.requestsMentioning(isbn.value())).as("5xx retried up to 3 attempts")
        .hasSize(3);
    assertThat(openLibrary.requestsMentioning(isbn.value())).hasSize(3);
  }

  @Test
  void aServerErrorIsRetriedAndTheRetrySucceeds() throws Exception {
    var isbn = Isbn.parse("9787505396814");
    douban.on(doubanIsbnPath(isbn), status(503), redirect("/subject/1152971/"))
        .on("/subject/1152971/", html(doubanPage("1152971")));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(storedBook(isbn).title()).isEqualTo("DOOM启世录");
    assertThat(storedBook(isbn).translator()).isEqualTo("孙振南");
    assertThat(douban.requestsMentioning(isbn.value())).hasSize(2);
  }

  @Test
  void aTimedOutRequestIsRetried() throws Exception {
    var isbn = Isbn.parse("9787110102442");
    douban.on(doubanIsbnPath(isbn), slow(Duration.ofMillis(1500)), redirect("/subject/35576094/"))
        .on("/subject/35576094/", html(doubanPage("35576094")));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(storedBook(isbn).title()).isEqualTo("全频带阻塞干扰");
    assertThat(douban.requestsMentioning(isbn.value())).hasSize(2);
  }

  @Test
  void aPageSayingTheRequestLooksAbnormalIsARefusalNotABook() throws Exception {
    var isbn = Isbn.parse("9787020000104");
    douban.on(doubanIsbnPath(isbn), html("<html><head><title>豆瓣</title></head><body>"
        + "<p>检测到有异常请求从你的 IP 发出，请登录使用豆瓣。</p></body></html>"));
    double blockedBefore = blockedCount();

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).as("no source found it and Douban could not say")
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat(blockedCount()).isEqualTo(blockedBefore + 1);
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isFalse();
  }

  @Test
  void googleBooksAnswersWhenTheOthersDoNotKnowTheBook() throws Exception {
    var isbn = Isbn.parse("9780007499793");
    google.on("/books/v1/volumes?q=isbn:" + isbn.value(), json(Fixtures
            .text("googlebooks/volumes-q-isbn-9780007499793.json")
            .replace("http://books.google.com", google.baseUrl().toString())
            .getBytes(StandardCharsets.UTF_8)))
        .on("/books/content", SourceStandIn.body(200, "image/jpeg", COVER));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("Space");
    assertThat(book.author()).isEqualTo("Stephen Baxter");
    assertThat(book.coverStored()).isTrue();
    assertThat(book.sources()).containsEntry("title", "google")
        .allSatisfy((field, source) -> assertThat(source).isEqualTo("google"));
  }

  @Test
  void aFreshStoredBookEndsTheTaskWithoutAskingAnySource() throws Exception {
    var isbn = Isbn.parse("9787020000029");
    database.getCollection(Book.COLLECTION, Book.class).insertOne(new Book(isbn.value(), "旧书",
        null, null, "某人", null, null, null, null, null, null, null, null, null, null, null, null,
        false, Map.of("title", "douban"), Instant.now().minus(Duration.ofDays(1))));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(douban.requestsMentioning(isbn.value())).isEmpty();
  }

  @Test
  void anExpiredJobIsDroppedWithoutAskingAnySource() throws Exception {
    var isbn = Isbn.parse("9787020000036");
    var taskId = newTask(isbn);

    publish(taskId, isbn, Instant.now().minusSeconds(1));

    var task = awaitEnd(taskId);
    assertThat(task).containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
    for (var source : List.of(douban, openLibrary, google)) {
      assertThat(source.requestsMentioning(isbn.value())).isEmpty();
    }
  }

  @Test
  void aTaskThatExpiredIsNotBroughtBack() throws Exception {
    var isbn = Isbn.parse("9787020000043");
    var taskId = UUID.randomUUID().toString();
    redis.opsForValue().set(BookTasks.inFlight(isbn), taskId, Duration.ofMinutes(5));

    publish(taskId, isbn, Instant.now().plusSeconds(30));

    await().atMost(30, TimeUnit.SECONDS)
        .until(() -> douban.requestsMentioning(isbn.value()).size() == 1
            && !redis.hasKey(BookTasks.inFlight(isbn)));
    assertThat(redis.hasKey(BookTasks.task(taskId))).isFalse();
  }

  @Test
  void theInFlightMarkerOfANewerTaskIsLeftAlone() throws Exception {
    var isbn = Isbn.parse("9787020000050");
    var taskId = newTask(isbn);
    redis.opsForValue().set(BookTasks.inFlight(isbn), "a-newer-task", Duration.ofMinutes(5));

    publish(taskId, isbn, Instant.now().plusSeconds(30));

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "failed");
    assertThat(redis.opsForValue().get(BookTasks.inFlight(isbn))).isEqualTo("a-newer-task");
  }

  @Test
  void aRecordThatIsNotAJobLandsOnTheDeadLetterTopic() {
    var poison = ("{not json at all " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    var servers = TestInfrastructure.shared().kafkaBootstrapServers();
    try (var producer = new KafkaProducer<String, byte[]>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new StringSerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(BookFetchRequested.TOPIC, "poison", poison));
    }

    awaitDeadLetter(value -> Arrays.equals(value, poison));
  }

  @Test
  void aJobThatKeepsFailingLandsOnTheDeadLetterTopic() throws Exception {
    var taskId = UUID.randomUUID().toString();

    kafka.send(BookFetchRequested.TOPIC, "0", new BookFetchRequested(taskId, "not an isbn",
        Instant.now(), Instant.now().plusSeconds(30))).get(10, TimeUnit.SECONDS);

    awaitDeadLetter(value -> new String(value, StandardCharsets.UTF_8).contains(taskId));
  }

  private static void awaitDeadLetter(Predicate<byte[]> matching) {
    try (var consumer = new KafkaConsumer<String, byte[]>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestInfrastructure.shared().kafkaBootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(KafkaDeadLetters.deadLetterTopic(BookFetchRequested.TOPIC)));
      await().atMost(30, TimeUnit.SECONDS).until(() -> {
        for (var record : consumer.poll(Duration.ofMillis(500))) {
          if (matching.test(record.value())) {
            return true;
          }
        }
        return false;
      });
    }
  }

  @Test
  void requestsToOneHostNeverExceedItsRate() throws Exception {
    int before = openLibrary.requests().size();
    var isbns = List.of(Isbn.parse("9787020000067"), Isbn.parse("9787020000074"),
        Isbn.parse("9787020000081"), Isbn.parse("9787020000098"));
    for (int i = 0; i < isbns.size(); i++) {
      var edition = "/books/OL900" + i + "M.json";
      openLibrary.on("/isbn/" + isbns.get(i).value() + ".json", redirect(edition))
          .on(edition, json(("{\"title\": \"Rate " + i + "\", \"publishers\": [\"P\"]}")
              .getBytes(StandardCharsets.UTF_8)));
    }

    var taskIds = isbns.stream().map(this::lookUpUnchecked).toList();

    taskIds.forEach(taskId ->
        assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded"));
    var arrivals = openLibrary.requests().subList(before, openLibrary.requests().size()).stream()
        .mapToLong(SourceStandIn.Request::arrivedNanos).sorted().toArray();
    assertThat(arrivals).hasSize(8);
    // At 3 requests a second, any 4 consecutive requests span at least a second; 50 ms allow for
    // the jitter between a request leaving the worker and the stand-in noting its arrival.
    for (int i = 0; i + 3 < arrivals.length; i++) {
      assertThat(Duration.ofNanos(arrivals[i + 3] - arrivals[i]))
          .as("requests %d to %d", i, i + 3).isGreaterThan(Duration.ofMillis(950));
    }
  }

  private String lookUp(Isbn isbn) throws Exception {
    var taskId = newTask(isbn);
    publish(taskId, isbn, Instant.now().plusSeconds(30));
    return taskId;
  }

  private String lookUpUnchecked(Isbn isbn) {
    try {
      return lookUp(isbn);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the task as the API does. */
  private String newTask(Isbn isbn) {
    var taskId = UUID.randomUUID().toString();
    var key = BookTasks.task(taskId);
    redis.opsForHash().putAll(key, Map.of(
        BookTasks.FIELD_STATUS, "pending",
        BookTasks.FIELD_ISBN, isbn.value(),
        BookTasks.FIELD_CREATED_AT, Instant.now().toString()));
    redis.expire(key, Duration.ofDays(1));
    redis.opsForValue().set(BookTasks.inFlight(isbn), taskId, Duration.ofMinutes(5));
    return taskId;
  }

  private void publish(String taskId, Isbn isbn, Instant deadline) throws Exception {
    kafka.send(BookFetchRequested.TOPIC, isbn.value(),
        new BookFetchRequested(taskId, isbn.value(), Instant.now(), deadline))
        .get(10, TimeUnit.SECONDS);
  }

  private Map<Object, Object> awaitEnd(String taskId) {
    var key = BookTasks.task(taskId);
    await().atMost(30, TimeUnit.SECONDS).until(() -> {
      var status = (String) redis.opsForHash().get(key, BookTasks.FIELD_STATUS);
      return "succeeded".equals(status) || "failed".equals(status);
    });
    var task = redis.opsForHash().entries(key);
    assertThat(redis.getExpire(key, TimeUnit.SECONDS)).as("the task keeps its TTL").isPositive();
    return task;
  }

  private Book storedBook(Isbn isbn) {
    var book = database.getCollection(Book.COLLECTION, Book.class)
        .find(eq("_id", isbn.value())).first();
    assertThat(book).as("book %s in MongoDB", isbn).isNotNull();
    return book;
  }

  private double blockedCount() {
    var counter = meters.find("shuzhi.books.fetches")
        .tags("source", "douban", "outcome", "blocked").counter();
    return counter == null ? 0 : counter.count();
  }

  private static SourceStandIn.Reply slow(Duration delay) {
    return exchange -> {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      status(404).send(exchange);
    };
  }

  private static String doubanIsbnPath(Isbn isbn) {
    return "/isbn/" + isbn.value() + "/";
  }

  private void serveDoubanSubject(Isbn isbn, String subject) {
    douban.on(doubanIsbnPath(isbn), redirect("/subject/" + subject + "/"))
        .on("/subject/" + subject + "/", html(doubanPage(subject)));
  }

  // Covers point at Douban's image hosts; in tests they point at the stand-in.
  private static String doubanPage(String subject) {
    return Fixtures.text("douban/subject-" + subject + ".html")
        .replaceAll("https://img\\d\\.doubanio\\.com", douban.baseUrl().toString());
  }
}
