package tech.plumeintel.shuzhi.chat.prompt;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.testsupport.HandClock;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** The shelf on a real Mongo-wire store: what it keeps in memory, and for how long. */
class BookShelfIT {

  static final MongoClient client =
      MongoClients.create(TestInfrastructure.shared().mongoUri("shelf_it"));
  static final MongoCollection<Book> books =
      client.getDatabase("shelf_it").getCollection(Book.COLLECTION, Book.class);

  final HandClock clock = new HandClock(Instant.parse("2026-11-29T08:00:00Z"));
  final BookShelf shelf = new BookShelf(client.getDatabase("shelf_it"), clock);

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void aFoundBookIsServedFromMemoryUntilItsTimeIsUp() {
    var isbn = isbn();
    store(isbn, "第一版");
    assertThat(shelf.find(isbn)).map(Book::title).contains("第一版");

    store(isbn, "第二版");
    clock.advance(BookShelf.KEEP.minusMillis(1));
    assertThat(shelf.find(isbn)).map(Book::title).contains("第一版");

    clock.advance(Duration.ofMillis(1));
    assertThat(shelf.find(isbn)).map(Book::title).contains("第二版");
  }

  @Test
  void aBookNotFoundIsAskedForAgainAtOnce() {
    var isbn = isbn();
    assertThat(shelf.find(isbn)).isEmpty();

    store(isbn, "刚抓到");
    assertThat(shelf.find(isbn)).map(Book::title).contains("刚抓到");
  }

  private static void store(String isbn, String title) {
    books.replaceOne(
        eq("_id", isbn),
        new Book(
            isbn,
            title,
            null,
            null,
            "作者",
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
            Instant.parse("2026-11-01T00:00:00Z")),
        new ReplaceOptions().upsert(true));
  }

  private static String isbn() {
    return "978" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
  }
}
