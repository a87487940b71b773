package tech.plumeintel.shuzhi.api.book;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.testsupport.HandClock;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** Books served from memory, over the real Mongo-wire store, on a clock the test moves. */
class RecentBooksIT {

  private static final Duration PERIOD = Duration.ofSeconds(2);
  private static final MongoClient client =
      MongoClients.create(TestInfrastructure.shared().mongoUri("recent_books_it"));
  private static final MongoDatabase database = client.getDatabase("recent_books_it");

  private final HandClock clock = new HandClock(Instant.parse("2026-11-29T08:00:00Z"));
  private final RecentBooks recent = recentBooks(PERIOD);

  @AfterAll
  static void close() {
    client.close();
  }

  private RecentBooks recentBooks(Duration period) {
    return new RecentBooks(
        new BookStore(database),
        new BooksProperties(
            Duration.ofDays(30),
            Duration.ofSeconds(60),
            Duration.ofDays(1),
            Duration.ofSeconds(3),
            period,
            1_000),
        clock);
  }

  private static void store(String isbn, String title) {
    database
        .getCollection(Book.COLLECTION, Book.class)
        .replaceOne(
            Filters.eq("_id", isbn),
            new Book(
                isbn,
                title,
                null,
                null,
                "余华",
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
  }

  private @Nullable String titleOf(RecentBooks books, String isbn) {
    return books.find(Isbn.parse(isbn)).map(Book::title).orElse(null);
  }

  @Test
  void aChangedBookIsServedChangedOnceThePeriodHasPassed() {
    var isbn = TestIsbns.next();
    store(isbn, "活着");
    assertThat(titleOf(recent, isbn)).isEqualTo("活着");

    store(isbn, "活着（修订版）");
    assertThat(titleOf(recent, isbn)).as("within the period, from memory").isEqualTo("活着");
    clock.advance(PERIOD.minusMillis(1));
    assertThat(titleOf(recent, isbn)).isEqualTo("活着");

    clock.advance(Duration.ofMillis(1));
    assertThat(titleOf(recent, isbn)).isEqualTo("活着（修订版）");
  }

  @Test
  void aClockSetBackDoesNotStretchAnEntrysLife() {
    var isbn = TestIsbns.next();
    store(isbn, "许三观卖血记");
    assertThat(titleOf(recent, isbn)).isEqualTo("许三观卖血记");
    store(isbn, "许三观卖血记（新版）");

    clock.advance(Duration.ofHours(-1));

    assertThat(titleOf(recent, isbn)).isEqualTo("许三观卖血记（新版）");
  }

  @Test
  void aBookNotInTheStoreIsFoundAsSoonAsItIsStored() {
    var isbn = TestIsbns.next();
    assertThat(titleOf(recent, isbn)).isNull();

    store(isbn, "兄弟");

    assertThat(titleOf(recent, isbn)).isEqualTo("兄弟");
  }

  /** The real store, counting its reads and holding each until the test lets it go. */
  private static final class HeldStore extends BookStore {
    final AtomicInteger reads = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);

    HeldStore() {
      super(database);
    }

    @Override
    public Optional<Book> find(Isbn isbn) {
      reads.incrementAndGet();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return super.find(isbn);
    }
  }

  @Test
  void lookupsOfABookBeingReadWaitForThatReadInsteadOfReadingItToo() throws Exception {
    var isbn = TestIsbns.next();
    store(isbn, "在细雨中呼喊");
    var held = new HeldStore();
    var books =
        new RecentBooks(
            held,
            new BooksProperties(
                Duration.ofDays(30),
                Duration.ofSeconds(60),
                Duration.ofDays(1),
                Duration.ofSeconds(3),
                PERIOD,
                1_000),
            clock);
    var lookups = new ArrayList<FutureTask<String>>();
    var threads = new ArrayList<Thread>();
    for (int i = 0; i < 8; i++) {
      var lookup = new FutureTask<>(() -> titleOf(books, isbn));
      lookups.add(lookup);
      threads.add(Thread.ofPlatform().start(lookup));
    }

    // All eight are parked: one in the store, seven waiting for it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    held.release.countDown();

    for (var lookup : lookups) {
      assertThat(lookup.get(10, TimeUnit.SECONDS)).isEqualTo("在细雨中呼喊");
    }
    assertThat(held.reads).hasValue(1);
  }

  @Test
  void aZeroPeriodReadsTheStoreEveryTime() {
    var everyTime = recentBooks(Duration.ZERO);
    var isbn = TestIsbns.next();
    store(isbn, "第七天");
    assertThat(titleOf(everyTime, isbn)).isEqualTo("第七天");

    store(isbn, "第七天（新版）");

    assertThat(titleOf(everyTime, isbn)).isEqualTo("第七天（新版）");
  }
}
