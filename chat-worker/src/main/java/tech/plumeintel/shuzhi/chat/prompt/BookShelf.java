package tech.plumeintel.shuzhi.chat.prompt;

import static com.mongodb.client.model.Filters.eq;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;

/**
 * Reads the books the fetch-worker stored. A book found is kept in memory for {@link #KEEP}: its
 * read from MongoDB stood between every job and its model request (bench, time to first token), and
 * a conversation asks about one book many times. Jobs that ask for the same book at once wait for
 * one read. A book not found yet is asked for again on every job, so it shows up as soon as the
 * fetch-worker has stored it; a book the fetch-worker refreshes shows up within {@link #KEEP}.
 */
@Component
class BookShelf {

  static final Duration KEEP = Duration.ofMinutes(5);

  /** Bounds the memory: a book is a few kilobytes. */
  private static final int MAX_BOOKS = 5_000;

  private final MongoCollection<Book> books;
  private final Cache<String, Book> kept;

  BookShelf(MongoDatabase database, Clock clock) {
    this.books = database.getCollection(Book.COLLECTION, Book.class);
    this.kept =
        Caffeine.newBuilder()
            .expireAfterWrite(KEEP)
            .maximumSize(MAX_BOOKS)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .build();
  }

  Optional<Book> find(String isbn) {
    // A null from the loader is not kept: the next job asks MongoDB again.
    return Optional.ofNullable(kept.get(isbn, id -> books.find(eq("_id", id)).first()));
  }
}
