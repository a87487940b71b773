package tech.plumeintel.shuzhi.chat.prompt;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;

/**
 * Reads the books the fetch-worker stored. A book found is kept in memory for {@link #KEEP}: its
 * read from MongoDB stood between every job and its model request (bench, time to first token), and
 * a conversation asks about one book many times. A book not found yet is asked for again on every
 * job, so it shows up as soon as the fetch-worker has stored it; a book the fetch-worker refreshes
 * shows up within {@link #KEEP}.
 */
@Component
class BookShelf {

  static final Duration KEEP = Duration.ofMinutes(5);
  // Bounds the memory: a book is a few kilobytes; past this many, the shelf starts over.
  private static final int MAX_BOOKS = 5_000;

  private final MongoCollection<Book> books;
  private final Clock clock;
  private final ConcurrentHashMap<String, Kept> kept = new ConcurrentHashMap<>();

  BookShelf(MongoDatabase database, Clock clock) {
    this.books = database.getCollection(Book.COLLECTION, Book.class);
    this.clock = clock;
  }

  Optional<Book> find(String isbn) {
    long now = clock.millis();
    var known = kept.get(isbn);
    if (known != null && now < known.until) {
      return Optional.of(known.book);
    }
    var book = books.find(eq("_id", isbn)).first();
    if (book != null) {
      if (kept.size() >= MAX_BOOKS) {
        kept.clear();
      }
      kept.put(isbn, new Kept(book, now + KEEP.toMillis()));
    }
    return Optional.ofNullable(book);
  }

  private record Kept(Book book, long until) {}
}
