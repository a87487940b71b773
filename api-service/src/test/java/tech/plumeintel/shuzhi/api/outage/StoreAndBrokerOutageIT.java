package tech.plumeintel.shuzhi.api.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.testsupport.FreePorts;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TcpProxy;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * MongoDB and Kafka going away under an API instance (cut off through a proxy, or never there), so
 * that the shared test infrastructure stays up for everything else.
 */
class StoreAndBrokerOutageIT extends ApiIntegrationTest {

  @Autowired MongoDatabase database;

  private String storeBook() {
    var isbn = TestIsbns.next();
    database
        .getCollection(Book.COLLECTION, Book.class)
        .replaceOne(
            Filters.eq("_id", isbn),
            new Book(
                isbn,
                "边城",
                null,
                null,
                "沈从文",
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
                Map.of(),
                Instant.now()),
            new ReplaceOptions().upsert(true));
    return isbn;
  }

  private static Map<String, Object> question(String isbn) {
    return Map.of("isbn", isbn, "messages", List.of(Map.of("role", "user", "content", "q")));
  }

  @Test
  void withoutMongoRequestsGetAQuick503AndServiceComesBackByItself() {
    var token = loginAs("mongo-outage");
    var isbn = storeBook();
    // The book just served may be answered from memory for a moment (shuzhi.books.in-memory-for);
    // one this instance has not read yet needs the store.
    var unread = storeBook();
    var mongo = URI.create(TestInfrastructure.shared().mongoUri("shuzhi"));
    try (var proxy = new TcpProxy(mongo.getHost(), mongo.getPort());
        var api =
            new AnotherApiInstance(
                Map.of("spring.mongodb.uri", "mongodb://127.0.0.1:" + proxy.port() + "/shuzhi"))) {
      var client = new JsonHttp(api.port());
      assertThat(client.get("/api/books/" + isbn + "/", token).status()).isEqualTo(200);

      proxy.cut();

      var started = System.nanoTime();
      var down = client.get("/api/books/" + unread + "/", token);
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
      assertThat(down.body()).doesNotContain("Exception", "at com.");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

      proxy.reconnect();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(client.get("/api/books/" + isbn + "/", token).status())
                      .isEqualTo(200));
    }
  }

  @Test
  void withoutKafkaCachedBooksAreServedAndNewWorkIsRefusedQuickly() {
    var token = loginAs("kafka-outage");
    var isbn = storeBook();
    try (var api =
        new AnotherApiInstance(
            Map.of(
                "spring.kafka.bootstrap-servers", "127.0.0.1:" + FreePorts.pick(),
                "spring.kafka.admin.operation-timeout", "1s",
                "spring.kafka.admin.properties.request.timeout.ms", "1000",
                "spring.kafka.admin.properties.default.api.timeout.ms", "1000"))) {
      var client = new JsonHttp(api.port());

      assertThat(client.get("/api/books/" + isbn + "/", token).status()).isEqualTo(200);
      for (var request : List.of("lookup", "chat")) {
        var started = System.nanoTime();
        var answer =
            request.equals("lookup")
                ? client.get("/api/books/" + TestIsbns.next() + "/", token)
                : client.post("/api/chat/stream/", question(isbn), token);
        assertThat(answer.status()).as(request).isEqualTo(503);
        assertThat(answer.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .as(request)
            .isLessThan(Duration.ofSeconds(10));
      }
    }
  }
}
