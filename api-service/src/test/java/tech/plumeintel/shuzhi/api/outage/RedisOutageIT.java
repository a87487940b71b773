package tech.plumeintel.shuzhi.api.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** Redis goes down under a running API: what needs it fails fast and clearly, the rest goes on. */
class RedisOutageIT extends ApiIntegrationTest {

  @Autowired MongoDatabase database;

  @AfterEach
  void redisIsBack() {
    TestInfrastructure.shared().redis().start();
  }

  @Test
  void withoutRedisCachedBooksAreServedChatsAre503AndAllRecoversByItself() {
    var token = loginAs("outage-reader");
    var isbn = TestIsbns.next();
    database
        .getCollection(Book.COLLECTION, Book.class)
        .replaceOne(
            Filters.eq("_id", isbn),
            new Book(
                isbn,
                "围城",
                null,
                null,
                "钱钟书",
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
    var question =
        Map.of("isbn", isbn, "messages", List.of(Map.of("role", "user", "content", "q")));

    TestInfrastructure.shared().redis().stop();

    assertThat(api().get("/api/books/" + isbn + "/", token).status()).isEqualTo(200);
    var started = System.nanoTime();
    var chat = api().post("/api/chat/stream/", question, token);
    assertThat(chat.status()).isEqualTo(503);
    assertThat(chat.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    var unknown = api().get("/api/books/" + TestIsbns.next() + "/", token);
    assertThat(unknown.status()).isEqualTo(503);

    TestInfrastructure.shared().redis().start();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(api().get("/api/books/" + TestIsbns.next() + "/", token).status())
                    .isEqualTo(202));
  }
}
