package tech.plumeintel.shuzhi.fetch.job;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.html;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.json;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.redirect;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.status;

import com.mongodb.client.gridfs.GridFSBuckets;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.Fixtures;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;

/** A lookup job from Kafka to the book in MongoDB and the task in Redis, source by source. */
class BookFetchIT extends LookupScenario {

  @Autowired MeterRegistry meters;

  @Test
  void aJobEndsWithTheBookStoredTheTaskSucceededAndTheCoverMirrored() throws Exception {
    var isbn = Isbn.parse("9787536025080");
    serveDoubanSubject(isbn, "1089243");
    douban.on("/view/subject/l/public/s1076372.jpg", SourceStandIn.body(200, "image/jpeg", COVER));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId))
        .containsEntry(BookTasks.FIELD_STATUS, "succeeded")
        .containsKey(BookTasks.FIELD_UPDATED_AT);
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("黄金时代");
    assertThat(book.author()).isEqualTo("王小波");
    assertThat(book.publisher()).isEqualTo("花城出版社");
    assertThat(book.rating()).isEqualTo(8.9);
    assertThat(book.coverStored()).isTrue();
    assertThat(book.fetchedAt()).isNotNull();
    assertThat(book.sources())
        .containsEntry("title", "douban")
        .containsEntry("cover_source_url", "douban")
        .containsEntry("introduction", "douban")
        .allSatisfy((field, source) -> assertThat(source).isEqualTo("douban"));
    var cover =
        GridFSBuckets.create(database, Book.COVERS_BUCKET)
            .find(eq("filename", isbn.value()))
            .first();
    assertThat(cover).isNotNull();
    assertThat(cover.getLength()).isEqualTo(COVER.length);
    assertThat(cover.getMetadata()).containsEntry("contentType", "image/jpeg");
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
    assertThat(openLibrary.requestsMentioning(isbn.value()))
        .as("a complete Douban page needs no other source")
        .isEmpty();
  }

  @Test
  void aNewCoverCopyReplacesTheOlderOne() throws Exception {
    var isbn = Isbn.parse("9787536692947");
    serveDoubanSubject(isbn, "1089243");
    douban.on("/view/subject/l/public/s1076372.jpg", SourceStandIn.body(200, "image/jpeg", COVER));
    var bucket = GridFSBuckets.create(database, Book.COVERS_BUCKET);
    var older =
        bucket.uploadFromStream(isbn.value(), new ByteArrayInputStream(new byte[] {1, 2, 3}));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(bucket.find(eq("filename", isbn.value())).into(new ArrayList<>()))
                    .singleElement()
                    .satisfies(
                        copy -> {
                          assertThat(copy.getObjectId()).isNotEqualTo(older);
                          assertThat(copy.getLength()).isEqualTo(COVER.length);
                        }));
  }

  @Test
  void aBookFoundAfterItWasRememberedAsMissingIsMissingNoMoreAndItsClaimIsReleased()
      throws Exception {
    var isbn = Isbn.parse("9787536692930");
    serveDoubanSubject(isbn, "1089243");
    redis.opsForValue().set(BookTasks.missing(isbn), Instant.now().toString(), Duration.ofHours(1));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isFalse();
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
  }

  @Test
  void aForbiddenDoubanFallsThroughToOpenLibraryAndIsCountedAsBlocked() throws Exception {
    var isbn = Isbn.parse("9780140328721");
    douban.on(doubanIsbnPath(isbn), status(403));
    openLibrary
        .on("/isbn/" + isbn.value() + ".json", redirect("/books/OL7353617M.json"))
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
    assertThat(book.sources())
        .containsEntry("title", "openlibrary")
        .containsEntry("author", "openlibrary")
        .containsEntry("introduction", "openlibrary")
        .doesNotContainValue("douban");
    assertThat(blockedCount()).isEqualTo(blockedBefore + 1);
    assertThat(douban.requestsMentioning(isbn.value())).as("a refusal is not retried").hasSize(1);
  }

  @Test
  void aDoubanRedirectToItsSecurityCheckIsBlockedAndOpenLibraryAnswers() throws Exception {
    var isbn = Isbn.parse("9780980200447");
    douban.on(
        doubanIsbnPath(isbn),
        redirect("https://sec.douban.com/b?r=https%3A%2F%2Fbook.douban.com%2Fisbn%2F"));
    openLibrary
        .on("/isbn/" + isbn.value() + ".json", redirect("/books/OL22853304M.json"))
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
        .as("Google is asked for the author Open Library lacks")
        .hasSize(1);
  }

  @Test
  void aBookNoSourceKnowsFailsWithNotFoundAndIsRememberedAsMissing() throws Exception {
    var isbn = Isbn.parse("9787020000005");

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId))
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
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
    assertThat(task)
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat((String) task.get(BookTasks.FIELD_ERROR_MESSAGE)).isNotBlank();
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isFalse();
    assertThat(douban.requestsMentioning(isbn.value()))
        .as("5xx retried up to 3 attempts")
        .hasSize(3);
    assertThat(openLibrary.requestsMentioning(isbn.value())).hasSize(3);
  }

  @Test
  void aServerErrorIsRetriedAndTheRetrySucceeds() throws Exception {
    var isbn = Isbn.parse("9787505396814");
    douban
        .on(doubanIsbnPath(isbn), status(503), redirect("/subject/1152971/"))
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
    douban
        .on(doubanIsbnPath(isbn), slow(Duration.ofMillis(1500)), redirect("/subject/35576094/"))
        .on("/subject/35576094/", html(doubanPage("35576094")));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(storedBook(isbn).title()).isEqualTo("全频带阻塞干扰");
    assertThat(douban.requestsMentioning(isbn.value())).hasSize(2);
  }

  @Test
  void aPageSayingTheRequestLooksAbnormalIsARefusalNotABook() throws Exception {
    var isbn = Isbn.parse("9787020000104");
    douban.on(
        doubanIsbnPath(isbn),
        html(
            "<html><head><title>豆瓣</title></head><body>"
                + "<p>检测到有异常请求从你的 IP 发出，请登录使用豆瓣。</p></body></html>"));
    double blockedBefore = blockedCount();

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId))
        .as("no source found it and Douban could not say")
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat(blockedCount()).isEqualTo(blockedBefore + 1);
    assertThat(redis.hasKey(BookTasks.missing(isbn))).isFalse();
  }

  @Test
  void googleBooksAnswersWhenTheOthersDoNotKnowTheBook() throws Exception {
    var isbn = Isbn.parse("9780007499793");
    google
        .on(
            "/books/v1/volumes?q=isbn:" + isbn.value(),
            json(
                Fixtures.text("googlebooks/volumes-q-isbn-9780007499793.json")
                    .replace("http://books.google.com", google.baseUrl().toString())
                    .getBytes(StandardCharsets.UTF_8)))
        .on("/books/content", SourceStandIn.body(200, "image/jpeg", COVER));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    var book = storedBook(isbn);
    assertThat(book.title()).isEqualTo("Space");
    assertThat(book.author()).isEqualTo("Stephen Baxter");
    assertThat(book.coverStored()).isTrue();
    assertThat(book.sources())
        .containsEntry("title", "google")
        .allSatisfy((field, source) -> assertThat(source).isEqualTo("google"));
  }

  @Test
  void aFreshStoredBookEndsTheTaskWithoutAskingAnySource() throws Exception {
    var isbn = Isbn.parse("9787020000029");
    database
        .getCollection(Book.COLLECTION, Book.class)
        .insertOne(
            new Book(
                isbn.value(),
                "旧书",
                null,
                null,
                "某人",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                Map.of("title", "douban"),
                Instant.now().minus(Duration.ofDays(1))));

    var taskId = lookUp(isbn);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(douban.requestsMentioning(isbn.value())).isEmpty();
  }

  @Test
  void aStoredBookOlderThanTheFreshnessTheJobCarriesIsLookedUpAgain() throws Exception {
    var isbn = Isbn.parse("9787020000913");
    database
        .getCollection(Book.COLLECTION, Book.class)
        .insertOne(
            new Book(
                isbn.value(),
                "旧书",
                null,
                null,
                "某人",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                Map.of("title", "douban"),
                Instant.now().minus(Duration.ofDays(2))));
    var taskId = newTask(isbn);

    kafka
        .send(
            BookFetchRequested.TOPIC,
            isbn.value(),
            new BookFetchRequested(
                taskId,
                isbn.value(),
                Instant.now(),
                Instant.now().plusSeconds(30),
                Duration.ofDays(1)))
        .get(10, TimeUnit.SECONDS);

    assertThat(awaitEnd(taskId)).containsEntry(BookTasks.FIELD_STATUS, "succeeded");
    assertThat(douban.requestsMentioning(isbn.value()))
        .as("two days old is stale by the API's one day, though fresh by the default 30")
        .isNotEmpty();
  }

  @Test
  void anExpiredJobIsDroppedWithoutAskingAnySource() throws Exception {
    var isbn = Isbn.parse("9787020000036");
    var taskId = newTask(isbn);

    publish(taskId, isbn, Instant.now().minusSeconds(1));

    var task = awaitEnd(taskId);
    assertThat(task)
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_UPSTREAM);
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
    for (var source : List.of(douban, openLibrary, google)) {
      assertThat(source.requestsMentioning(isbn.value())).isEmpty();
    }
  }

  @Test
  void theRequestIdOfTheJobIsInTheWorkersLogs() throws Exception {
    var isbn = Isbn.parse("9787020000050");
    var taskId = newTask(isbn);
    try (var logs = CapturedLogs.start()) {
      var record =
          new ProducerRecord<Object, Object>(
              BookFetchRequested.TOPIC,
              isbn.value(),
              new BookFetchRequested(
                  taskId, isbn.value(), Instant.now(), Instant.now().minusSeconds(1)));
      record.headers().add("x-request-id", "trace-fetch-42".getBytes(StandardCharsets.UTF_8));
      kafka.send(record).get(10, TimeUnit.SECONDS);

      awaitEnd(taskId);
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(
              () ->
                  logs.lines().stream()
                      .anyMatch(
                          line ->
                              line.contains(taskId) && line.contains("request_id=trace-fetch-42")));
    }
  }

  @Test
  void aTaskThatExpiredIsNotBroughtBack() throws Exception {
    var isbn = Isbn.parse("9787020000043");
    var taskId = UUID.randomUUID().toString();
    redis.opsForValue().set(BookTasks.inFlight(isbn), taskId, Duration.ofMinutes(5));

    publish(taskId, isbn, Instant.now().plusSeconds(30));

    await()
        .atMost(30, TimeUnit.SECONDS)
        .until(
            () ->
                douban.requestsMentioning(isbn.value()).size() == 1
                    && !redis.hasKey(BookTasks.inFlight(isbn)));
    assertThat(redis.hasKey(BookTasks.task(taskId))).isFalse();
  }

  @Test
  void aTaskLeftRunningByAWorkerThatDiedIsFinishedWhenItsJobComesAgain() throws Exception {
    var isbn = Isbn.parse("9787020000111");
    var taskId = newTask(isbn);
    // The dead worker got this far; its offset was never committed, so Kafka delivers the job
    // again.
    redis.opsForHash().put(BookTasks.task(taskId), BookTasks.FIELD_STATUS, "running");

    publish(taskId, isbn, Instant.now().plusSeconds(30));

    assertThat(awaitEnd(taskId))
        .containsEntry(BookTasks.FIELD_STATUS, "failed")
        .containsEntry(BookTasks.FIELD_ERROR_CODE, BookTasks.ERROR_NOT_FOUND);
    assertThat(redis.hasKey(BookTasks.inFlight(isbn))).isFalse();
  }

  @Test
  void aJobDeliveredAgainAfterItsTaskEndedChangesNothing() throws Exception {
    var isbn = Isbn.parse("9787020000128");
    var taskId = newTask(isbn);
    redis.opsForHash().put(BookTasks.task(taskId), BookTasks.FIELD_STATUS, "succeeded");

    publish(taskId, isbn, Instant.now().plusSeconds(30));

    await().atMost(30, TimeUnit.SECONDS).until(() -> !redis.hasKey(BookTasks.inFlight(isbn)));
    assertThat(redis.opsForHash().get(BookTasks.task(taskId), BookTasks.FIELD_STATUS))
        .isEqualTo("succeeded");
    assertThat(douban.requestsMentioning(isbn.value())).isEmpty();
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

  private double blockedCount() {
    var counter =
        meters
            .find("shuzhi.books.fetches")
            .tags("source", "douban", "outcome", "blocked")
            .counter();
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

  @Test
  void aCoverThatIsNoRasterImageIsNotKeptWhateverItsContentType() throws Exception {
    var svg =
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>"
            .getBytes(StandardCharsets.UTF_8);
    for (var sentAs : List.of("image/svg+xml", "image/jpeg")) {
      var isbn = Isbn.parse(tech.plumeintel.shuzhi.testsupport.TestIsbns.next());
      serveDoubanSubject(isbn, "1089243");
      douban.on("/view/subject/l/public/s1076372.jpg", SourceStandIn.body(200, sentAs, svg));

      assertThat(awaitEnd(lookUp(isbn))).containsEntry(BookTasks.FIELD_STATUS, "succeeded");

      assertThat(storedBook(isbn).coverStored()).as(sentAs).isFalse();
      assertThat(
              GridFSBuckets.create(database, Book.COVERS_BUCKET)
                  .find(eq("filename", isbn.value()))
                  .first())
          .as(sentAs)
          .isNull();
    }
  }

  @Test
  void aCoverIsStoredAsTheTypeItsBytesShow() throws Exception {
    var isbn = Isbn.parse(tech.plumeintel.shuzhi.testsupport.TestIsbns.next());
    serveDoubanSubject(isbn, "1089243");
    var png = "\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR".getBytes(StandardCharsets.ISO_8859_1);
    douban.on(
        "/view/subject/l/public/s1076372.jpg",
        SourceStandIn.body(200, "application/octet-stream", png));

    assertThat(awaitEnd(lookUp(isbn))).containsEntry(BookTasks.FIELD_STATUS, "succeeded");

    var cover =
        GridFSBuckets.create(database, Book.COVERS_BUCKET)
            .find(eq("filename", isbn.value()))
            .first();
    assertThat(cover).isNotNull();
    assertThat(cover.getMetadata()).containsEntry("contentType", "image/png");
  }

  private static String doubanIsbnPath(Isbn isbn) {
    return "/isbn/" + isbn.value() + "/";
  }

  private void serveDoubanSubject(Isbn isbn, String subject) {
    douban
        .on(doubanIsbnPath(isbn), redirect("/subject/" + subject + "/"))
        .on("/subject/" + subject + "/", html(doubanPage(subject)));
  }

  // Covers point at Douban's image hosts; in tests they point at the stand-in.
  private static String doubanPage(String subject) {
    return Fixtures.text("douban/subject-" + subject + ".html")
        .replaceAll("https://img\\d\\.doubanio\\.com", douban.baseUrl().toString());
  }
}
