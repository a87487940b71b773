package tech.plumeintel.shuzhi.api.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

class CollectionsIT extends ApiIntegrationTest {

  private static final String PATH = "/api/user/collections/";
  private static AnotherApiInstance strict;

  @Autowired MongoDatabase database;

  /** An instance with two lookups a minute and three saved books per reader. */
  private static synchronized JsonHttp strict() {
    if (strict == null) {
      strict =
          new AnotherApiInstance(
              Map.of(
                  "shuzhi.limits.lookups-per-minute", "2",
                  "shuzhi.limits.saved-books-per-reader", "3"));
    }
    return new JsonHttp(strict.port());
  }

  @AfterAll
  static void stopStrict() {
    if (strict != null) {
      strict.close();
    }
  }

  private String storedBook() {
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
    return isbn;
  }

  @Test
  void savingAnUnknownBookTakesTheReadersLookupLimit() {
    var token = loginAs("collector-hasty-" + System.nanoTime());
    for (int i = 0; i < 2; i++) {
      var answer = strict().post(PATH, Map.of("isbn", TestIsbns.next()), token);
      assertThat(answer.status()).as("save %d", i + 1).isEqualTo(200);
      assertThat(answer.json().path("task_id").asString()).isNotBlank();
    }

    var refused = strict().post(PATH, Map.of("isbn", TestIsbns.next()), token);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().path("code").asString()).isEqualTo("RATE_LIMIT");
    assertThat(strict().get(PATH, token).json().path("count").asInt())
        .as("the refused save stored nothing")
        .isEqualTo(2);
    assertThat(strict().post(PATH, Map.of("isbn", storedBook()), token).status())
        .as("a known book starts no fetch, so takes no lookup")
        .isEqualTo(200);
  }

  @Test
  void aReaderSavesABoundedNumberOfBooks() {
    var token = loginAs("collector-hoarder-" + System.nanoTime());
    var first = storedBook();
    strict().post(PATH, Map.of("isbn", first), token);
    strict().post(PATH, Map.of("isbn", storedBook()), token);
    strict().post(PATH, Map.of("isbn", storedBook()), token);

    var beyond = strict().post(PATH, Map.of("isbn", storedBook()), token);

    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    assertThat(beyond.json().path("message").asString()).contains("3");
    assertThat(strict().post(PATH, Map.of("isbn", first), token).status())
        .as("saving a saved book again is still idempotent")
        .isEqualTo(200);
    assertThat(strict().delete(PATH + first + "/", token).status()).isEqualTo(200);
    assertThat(strict().post(PATH, Map.of("isbn", storedBook()), token).status()).isEqualTo(200);
    assertThat(strict().get(PATH, token).json().path("count").asInt()).isEqualTo(3);
  }

  @Test
  void savingTwiceKeepsOneEntryAndAnUnknownBookStartsItsLookup() {
    var token = loginAs("collector");
    var isbn = TestIsbns.next();

    var first = api().post(PATH, Map.of("isbn", isbn), token);
    var second =
        api().post(PATH, Map.of("isbn", isbn.substring(0, 3) + "-" + isbn.substring(3)), token);

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().path("task_id").asString()).isNotBlank();
    assertThat(second.json().path("saved_at").asString())
        .isEqualTo(first.json().path("saved_at").asString());
    var list = api().get(PATH, token).json();
    assertThat(list.path("count").asInt()).isEqualTo(1);
    assertThat(list.path("results").get(0).path("isbn").asString()).isEqualTo(isbn);
  }

  @Test
  void pagesHaveExactEdgesAndAbsoluteLinks() {
    var token = loginAs("pager");
    assertThat(api().get(PATH, token).json().path("count").asInt()).isZero();
    for (int i = 0; i < 5; i++) {
      api().post(PATH, Map.of("isbn", TestIsbns.next()), token);
    }

    var firstPage = api().get(PATH + "?limit=2", token).json();
    assertThat(firstPage.path("count").asInt()).isEqualTo(5);
    assertThat(firstPage.path("results").size()).isEqualTo(2);
    assertThat(firstPage.path("previous").isNull()).isTrue();
    assertThat(firstPage.path("next").asString()).startsWith("http://").contains("offset=2");

    var lastPage = api().get(PATH + "?limit=2&offset=4", token).json();
    assertThat(lastPage.path("results").size()).isEqualTo(1);
    assertThat(lastPage.path("next").isNull()).isTrue();
    assertThat(lastPage.path("previous").asString()).contains("offset=2");

    var exact = api().get(PATH + "?limit=5", token).json();
    assertThat(exact.path("results").size()).isEqualTo(5);
    assertThat(exact.path("next").isNull()).isTrue();

    var past = api().get(PATH + "?offset=50", token).json();
    assertThat(past.path("results").size()).isZero();
    assertThat(past.path("count").asInt()).isEqualTo(5);

    var capped = api().get(PATH + "?limit=100000", token).json();
    assertThat(capped.path("results").size()).isEqualTo(5);

    for (var bad : List.of("?limit=0", "?limit=-1", "?offset=-1", "?limit=abc", "?offset=1.5")) {
      var answer = api().get(PATH + bad, token);
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    }
  }

  @Test
  void readersSeeAndDeleteOnlyTheirOwnSavedBooks() {
    var alice = loginAs("collector-alice");
    var bob = loginAs("collector-bob");
    var isbn = TestIsbns.next();
    api().post(PATH, Map.of("isbn", isbn), alice);

    assertThat(api().get(PATH, bob).json().path("count").asInt()).isZero();
    var stolen = api().delete(PATH + isbn + "/", bob);
    assertThat(stolen.status()).isEqualTo(404);
    assertThat(api().get(PATH, alice).json().path("count").asInt()).isEqualTo(1);

    assertThat(api().delete(PATH + isbn + "/", alice).status()).isEqualTo(200);
    assertThat(api().get(PATH, alice).json().path("count").asInt()).isZero();
    assertThat(api().delete(PATH + isbn + "/", alice).status()).isEqualTo(404);
  }

  @Test
  void badIsbnsAndBodiesAreInvalidParams() {
    var token = loginAs("collector-careless");
    for (var body :
        List.<Object>of(
            Map.of("isbn", "123"),
            Map.of(),
            "{\"isbn\": {\"$gt\": \"\"}}",
            "{\"isbn\": 9787532190294}",
            "not json")) {
      var answer = api().post(PATH, body, token);
      assertThat(answer.status()).as(String.valueOf(body)).isEqualTo(400);
      assertThat(answer.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    }
    assertThat(api().delete(PATH + "not-an-isbn/", token).status()).isEqualTo(400);
  }
}
