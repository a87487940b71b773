package tech.plumeintel.shuzhi.api.book;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * The stored books that lookups found in the last {@link BooksProperties#inMemoryFor()}: a book many
 * readers look up at once is read from Mongo and decoded once per period, not once per lookup (that
 * was the largest part of a lookup's CPU). A book is the same for every reader; nothing of a reader's
 * is kept here. A book the fetch-worker has since refreshed is served as it was for at most that
 * period: an entry is stamped with the time its read began, so it holds every change made before its
 * stamp. Books not in the store are not remembered, so a book that arrives is found at once.
 */
@Component
class RecentBooks {

  /** Hot books only; an entry is of no use after its short period anyway. */
  private static final int MAX_BOOKS = 5_000;

  private record Entry(Book book, Instant readAt) {}

  private final BookStore store;
  private final BooksProperties properties;
  private final Clock clock;
  private final Cache<String, Entry> books;

  RecentBooks(BookStore store, BooksProperties properties, Clock clock) {
    this.store = store;
    this.properties = properties;
    this.clock = clock;
    // The size bound and Caffeine's own expiry only free memory; whether an entry may be served is
    // decided on the injected clock below.
    this.books = Caffeine.newBuilder()
        .maximumSize(MAX_BOOKS)
        .expireAfterWrite(properties.inMemoryFor())
        .build();
  }

  Optional<Book> find(Isbn isbn) {
    if (properties.inMemoryFor().isZero()) {
      return store.find(isbn);
    }
    var now = clock.instant();
    var entry = books.getIfPresent(isbn.value());
    if (entry != null && servable(entry, now)) {
      return Optional.of(entry.book());
    }
    var stored = store.find(isbn);
    stored.ifPresentOrElse(book -> books.put(isbn.value(), new Entry(book, now)),
        () -> books.invalidate(isbn.value()));
    return stored;
  }

  /** A clock set back must not stretch an entry's life either. */
  private boolean servable(Entry entry, Instant now) {
    var readAt = entry.readAt();
    return !now.isBefore(readAt) && now.isBefore(readAt.plus(properties.inMemoryFor()));
  }
}
