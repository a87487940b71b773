package tech.plumeintel.shuzhi.api.book;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.JsonHttp.Answer;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.TopicReader;
import tools.jackson.databind.json.JsonMapper;

class BookLookupIT extends ApiIntegrationTest {

  private static TopicReader jobs;

  @Autowired MongoDatabase database;
  @Autowired StringRedisTemplate redis;

  @BeforeAll
  static void readJobs() {
    jobs = new TopicReader(BookFetchRequested.TOPIC);
  }

  @AfterAll
  static void stopReading() {
    jobs.close();
  }

  private Answer lookUp(String isbn, String token) {
    return api().get("/api/books/" + isbn + "/", token);
  }

  private void store(String isbn, Instant fetchedAt, boolean coverStored) {
    var book =
        new Book(
            isbn,
            "活着",
            null,
            null,
            "余华",
            null,
            "作家出版社",
            "2012-8",
            191,
            "20.00元",
            "平装",
            null,
            9.4,
            1000,
            "《活着》讲述了……",
            null,
            "https://img1.doubanio.com/x.jpg",
            coverStored,
            Map.of("title", "douban"),
            fetchedAt);
    database
        .getCollection(Book.COLLECTION, Book.class)
        .replaceOne(Filters.eq("_id", isbn), book, new ReplaceOptions().upsert(true));
  }

  private List<BookFetchRequested> jobsFor(String isbn, int atLeast) {
    return jobs.awaitRecords(r -> isbn.equals(r.key()), atLeast, Duration.ofSeconds(10)).stream()
        .map(
            r ->
                JsonMapper.builder()
                    .findAndAddModules()
                    .build()
                    .readValue(r.value(), BookFetchRequested.class))
        .toList();
  }

  @Test
  void badIsbnsAreInvalidParams() {
    var token = loginAs("reader-bad-isbn");
    for (var bad :
        List.of(
            "123",
            "9787532190295",
            "978753219029X",
            "abcdefghij",
            "97875321902940",
            "0000000000000",
            "%2e%2e%2f",
            "9790000000000")) {
      var answer = lookUp(bad, token);
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    }
  }

  @Test
  void aFreshStoredBookIsAnsweredAtOnceWhateverTheIsbnsForm() {
    var token = loginAs("reader-cached");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now().minus(Duration.ofDays(1)), true);
    var isbn10 = Isbn.parse(isbn).isbn10().orElseThrow();

    for (var form : List.of(isbn, isbn10, isbn.substring(0, 3) + "-" + isbn.substring(3))) {
      var answer = lookUp(form, token);
      assertThat(answer.status()).as(form).isEqualTo(200);
      var book = answer.json();
      assertThat(book.path("isbn").asString()).isEqualTo(isbn);
      assertThat(book.path("title").asString()).isEqualTo("活着");
      assertThat(book.path("author").asString()).isEqualTo("余华");
      assertThat(book.path("cover_url").asString()).endsWith("/api/books/" + isbn + "/cover/");
    }
    assertThat(jobsFor(isbn, 1)).isEmpty();
  }

  @Test
  void aCoverLinkAlwaysPointsAtTheAddressTheRequestCameIn() {
    var token = loginAs("reader-addresses");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now(), true);
    var forwarded = Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "books.example");

    try (var behindProxy = new AnotherApiInstance(Map.of("shuzhi.trusted-proxies", "127.0.0.1"))) {
      var viaProxy = new JsonHttp(behindProxy.port());
      for (int i = 0; i < 2; i++) {
        var proxied = viaProxy.send("GET", "/api/books/" + isbn + "/", null, token, forwarded);
        assertThat(proxied.json().path("cover_url").asString())
            .isEqualTo("https://books.example/api/books/" + isbn + "/cover/");
        var direct = viaProxy.get("/api/books/" + isbn + "/", token);
        assertThat(direct.json().path("cover_url").asString())
            .isEqualTo("http://127.0.0.1:" + behindProxy.port() + "/api/books/" + isbn + "/cover/");
      }
    }
  }

  @Test
  void forwardedHostAndSchemeFromAPeerThatIsNoTrustedProxyAreIgnored() {
    var token = loginAs("reader-spoofer");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now(), true);

    var spoofed =
        api()
            .send(
                "GET",
                "/api/books/" + isbn + "/",
                null,
                token,
                Map.of("X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"));

    assertThat(spoofed.json().path("cover_url").asString())
        .isEqualTo("http://127.0.0.1:" + port + "/api/books/" + isbn + "/cover/");
  }

  @Test
  void aBookChangedInTheStoreIsAnsweredChangedSoon() {
    var token = loginAs("reader-changes");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now(), false);
    assertThat(lookUp(isbn, token).json().path("publisher").asString()).isEqualTo("作家出版社");

    database
        .getCollection(Book.COLLECTION)
        .updateOne(
            Filters.eq("_id", isbn), new Document("$set", new Document("publisher", "北京十月文艺出版社")));

    // Within shuzhi.books.in-memory-for (2 s); never as long as the freshness (30 days).
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(lookUp(isbn, token).json().path("publisher").asString())
                    .isEqualTo("北京十月文艺出版社"));
  }

  @Test
  void anUnknownBookGetsATaskAndOneJob() {
    var token = loginAs("reader-unknown");
    var isbn = TestIsbns.next();

    var answer = lookUp(isbn, token);

    assertThat(answer.status()).isEqualTo(202);
    var taskId = answer.json().path("task_id").asString();
    assertThat(taskId).hasSizeGreaterThanOrEqualTo(22);
    assertThat(answer.json().path("status").asString()).isEqualTo("pending");
    assertThat(answer.json().path("poll_url").asString()).endsWith("/api/tasks/" + taskId + "/");
    assertThat(answer.header("Location")).isEqualTo(answer.json().path("poll_url").asString());
    var published = jobsFor(isbn, 1);
    assertThat(published)
        .singleElement()
        .satisfies(job -> assertThat(job.taskId()).isEqualTo(taskId))
        .satisfies(job -> assertThat(job.deadline()).isAfter(Instant.now()));

    var poll = api().get("/api/tasks/" + taskId + "/", token);
    assertThat(poll.status()).isEqualTo(200);
    assertThat(poll.json().path("status").asString()).isEqualTo("pending");
    assertThat(poll.json().path("result").isNull()).isTrue();
    assertThat(poll.json().path("error").isNull()).isTrue();
  }

  @Test
  void theRequestIdTravelsWithTheJobAndIntoTheLogs() {
    var token = loginAs("reader-traced");
    var isbn = TestIsbns.next();
    try (var logs = CapturedLogs.start()) {
      var answer =
          api()
              .send(
                  "GET",
                  "/api/books/" + isbn + "/",
                  null,
                  token,
                  Map.of("X-Request-Id", "trace-0123456789"));

      assertThat(answer.header("X-Request-Id")).isEqualTo("trace-0123456789");
      var record =
          jobs.awaitRecords(r -> isbn.equals(r.key()), 1, Duration.ofSeconds(10)).getFirst();
      assertThat(
              new String(
                  record.headers().lastHeader("x-request-id").value(), StandardCharsets.UTF_8))
          .isEqualTo("trace-0123456789");
      assertThat(logs.lines()).anyMatch(line -> line.contains("request_id=trace-0123456789"));
    }
  }

  @Test
  void concurrentLookupsOfOneIsbnShareOneTaskAndOneJob() throws Exception {
    var alice = loginAs("reader-concurrent-a");
    var bob = loginAs("reader-concurrent-b");
    var isbn = TestIsbns.next();
    var calls = new ArrayList<Callable<Answer>>();
    for (int i = 0; i < 24; i++) {
      var token = i % 2 == 0 ? alice : bob;
      calls.add(() -> lookUp(isbn, token));
    }

    List<String> taskIds = new ArrayList<>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var future : pool.invokeAll(calls)) {
        assertThat(future.get().status()).isEqualTo(202);
        taskIds.add(future.get().json().path("task_id").asString());
      }
    }

    assertThat(taskIds).containsOnly(taskIds.getFirst());
    assertThat(jobsFor(isbn, 1)).hasSize(1);
    assertThat(jobs.awaitRecords(r -> isbn.equals(r.key()), 2, Duration.ofSeconds(2))).hasSize(1);
  }

  @Test
  void aSucceededTaskCarriesTheBook() {
    var token = loginAs("reader-poller");
    var isbn = TestIsbns.next();
    var taskId = lookUp(isbn, token).json().path("task_id").asString();

    // What a fetch-worker does when it finds the book.
    store(isbn, Instant.now(), false);
    redis.opsForHash().put(BookTasks.task(taskId), BookTasks.FIELD_STATUS, "succeeded");

    var poll = api().get("/api/tasks/" + taskId + "/", token).json();
    assertThat(poll.path("status").asString()).isEqualTo("succeeded");
    assertThat(poll.path("result").path("isbn").asString()).isEqualTo(isbn);
    assertThat(poll.path("result").path("cover_url").isNull()).isTrue();
    assertThat(lookUp(isbn, token).status()).isEqualTo(200);
  }

  @Test
  void aFailedTaskCarriesItsErrorAndAMissingBookIsNotLookedUpAgain() {
    var token = loginAs("reader-missing");
    var isbn = TestIsbns.next();
    var taskId = lookUp(isbn, token).json().path("task_id").asString();

    redis
        .opsForHash()
        .putAll(
            BookTasks.task(taskId),
            Map.of(
                BookTasks.FIELD_STATUS,
                "failed",
                BookTasks.FIELD_ERROR_CODE,
                "NOT_FOUND",
                BookTasks.FIELD_ERROR_MESSAGE,
                "没有找到这本书"));
    redis.delete(BookTasks.inFlight(Isbn.parse(isbn)));
    redis.opsForValue().set(BookTasks.missing(Isbn.parse(isbn)), "1", Duration.ofMinutes(5));

    var poll = api().get("/api/tasks/" + taskId + "/", token).json();
    assertThat(poll.path("status").asString()).isEqualTo("failed");
    assertThat(poll.path("error").path("code").asString()).isEqualTo("NOT_FOUND");
    var again = lookUp(isbn, token);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().path("code").asString()).isEqualTo("NOT_FOUND");
    assertThat(jobsFor(isbn, 1)).hasSize(1);
    assertThat(jobs.awaitRecords(r -> isbn.equals(r.key()), 2, Duration.ofSeconds(2))).hasSize(1);
  }

  @Test
  void aTaskPastItsDeadlineIsReportedFailedAndTheBookCanBeLookedUpAgain() {
    var token = loginAs("reader-late");
    var isbn = TestIsbns.next();
    var taskId = lookUp(isbn, token).json().path("task_id").asString();

    redis
        .opsForHash()
        .put(
            BookTasks.task(taskId),
            BookTasks.FIELD_DEADLINE,
            Instant.now().minusSeconds(1).toString());
    redis.delete(BookTasks.inFlight(Isbn.parse(isbn)));

    var poll = api().get("/api/tasks/" + taskId + "/", token).json();
    assertThat(poll.path("status").asString()).isEqualTo("failed");
    assertThat(poll.path("error").path("code").asString()).isEqualTo("UPSTREAM_ERROR");
    var retry = lookUp(isbn, token).json().path("task_id").asString();
    assertThat(retry).isNotEqualTo(taskId);
  }

  @Test
  void aStaleBookIsServedAndRefreshed() {
    var token = loginAs("reader-stale");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now().minus(Duration.ofDays(45)), false);

    assertThat(lookUp(isbn, token).status()).isEqualTo(200);
    assertThat(jobsFor(isbn, 1)).hasSize(1);
  }

  @Test
  void unknownTasksAreNotFound() {
    var token = loginAs("reader-no-task");
    for (var id : List.of("nope", "x".repeat(100), "..%2f..%2fetc")) {
      var answer = api().get("/api/tasks/" + id + "/", token);
      assertThat(answer.status()).as(id).isIn(400, 404);
      assertThat(answer.json().path("code").asString())
          .isEqualTo(answer.status() == 404 ? "NOT_FOUND" : "INVALID_PARAMS");
    }
  }

  @Test
  void aStoredCoverIsServedWithCaching() {
    var token = loginAs("reader-cover");
    var isbn = TestIsbns.next();
    store(isbn, Instant.now(), true);
    var image = new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3};
    GridFSBuckets.create(database, Book.COVERS_BUCKET)
        .uploadFromStream(
            isbn,
            new ByteArrayInputStream(image),
            new GridFSUploadOptions().metadata(new Document("content_type", "image/png")));

    var answer = api().send("GET", "/api/books/" + isbn + "/cover/", null, token, Map.of());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).isEqualTo("image/png");
    assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(answer.header("Cache-Control")).contains("max-age");
    var again =
        api()
            .send(
                "GET",
                "/api/books/" + isbn + "/cover/",
                null,
                token,
                Map.of("If-None-Match", answer.header("ETag")));
    assertThat(again.status()).isEqualTo(304);

    assertThat(api().get("/api/books/" + TestIsbns.next() + "/cover/", token).status())
        .isEqualTo(404);
  }

  @Test
  void aStoredCoverThatIsNoRasterImageIsNeverServed() {
    var token = loginAs("reader-svg-cover");
    var svgIsbn = TestIsbns.next();
    var htmlIsbn = TestIsbns.next();
    var lyingIsbn = TestIsbns.next();
    var bucket = GridFSBuckets.create(database, Book.COVERS_BUCKET);
    bucket.uploadFromStream(
        svgIsbn,
        new ByteArrayInputStream(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        new GridFSUploadOptions().metadata(new Document("content_type", "image/svg+xml")));
    bucket.uploadFromStream(
        htmlIsbn,
        new ByteArrayInputStream(
            "<html><script>alert(1)</script></html>"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        new GridFSUploadOptions().metadata(new Document("content_type", "image/jpeg")));
    var gif =
        "GIF89a\u0001\u0000\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    bucket.uploadFromStream(
        lyingIsbn,
        new ByteArrayInputStream(gif),
        new GridFSUploadOptions().metadata(new Document("content_type", "image/svg+xml")));

    for (var isbn : List.of(svgIsbn, htmlIsbn)) {
      var answer = api().send("GET", "/api/books/" + isbn + "/cover/", null, token, Map.of());
      assertThat(answer.status()).as(isbn).isEqualTo(404);
      assertThat(answer.json().path("code").asString()).isEqualTo("NOT_FOUND");
    }
    var gifAnswer = api().send("GET", "/api/books/" + lyingIsbn + "/cover/", null, token, Map.of());
    assertThat(gifAnswer.status()).isEqualTo(200);
    assertThat(gifAnswer.header("Content-Type")).as("the bytes decide").isEqualTo("image/gif");
  }
}
