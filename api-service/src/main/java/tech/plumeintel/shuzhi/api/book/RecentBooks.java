package tech.plumeintel.shuzhi.api.book;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * The stored books that lookups found in the last {@link BooksProperties#inMemoryFor()}: a book
 * many readers look up at once is read from Mongo and decoded once per period, not once per lookup
 * (that was the largest part of a lookup's CPU). A book is the same for every reader; nothing of a
 * reader's is kept here. A book the fetch-worker has since refreshed is served as it was for at
 * most that period: an entry is stamped with the time its read began, so it holds every change made
 * before its stamp. Books not in the store are not remembered, so a book that arrives is found at
 * once.
 */
@Component
class RecentBooks {

  private record Entry(Book book, Instant readAt) {}

  private final BookStore store;
  private final BooksProperties properties;
  private final Clock clock;
  private final Cache<String, Entry> books;
  private final ConcurrentHashMap<String, CompletableFuture<@Nullable Entry>> reads =
      new ConcurrentHashMap<>();

  RecentBooks(BookStore store, BooksProperties properties, Clock clock) {
    this.store = store;
    this.properties = properties;
    this.clock = clock;
    // The size bound and Caffeine's own expiry only free memory; whether an entry may be served is
    // decided on the injected clock below.
    this.books =
        Caffeine.newBuilder()
            .maximumSize(properties.inMemoryBooks())
            .expireAfterWrite(properties.inMemoryFor())
            .build();
  }

  Optional<Book> find(Isbn isbn) {
    if (properties.inMemoryFor().isZero()) {
      return store.find(isbn);
    }
    var entry = books.getIfPresent(isbn.value());
    if (entry != null && servable(entry, clock.instant())) {
      return Optional.of(entry.book());
    }
    return Optional.ofNullable(readOnce(isbn)).map(Entry::book);
  }

  /**
   * Reads the book from the store, or waits for the read another lookup of it has under way: when a
   * hot book's entry runs out, the hundreds of lookups in flight would otherwise all read it at
   * once. A failed read fails its waiters too, so that they answer at once rather than queue for
   * the store.
   */
  private @Nullable Entry readOnce(Isbn isbn) {
    var mine = new CompletableFuture<@Nullable Entry>();
    var running = reads.putIfAbsent(isbn.value(), mine);
    if (running != null) {
      try {
        return running.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause : e;
      }
    }
    try {
      var readAt = clock.instant();
      var entry = store.find(isbn).map(book -> new Entry(book, readAt)).orElse(null);
      if (entry != null) {
        books.put(isbn.value(), entry);
      } else {
        books.invalidate(isbn.value());
      }
      mine.complete(entry);
      return entry;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      reads.remove(isbn.value(), mine);
    }
  }

  /** A clock set back must not stretch an entry's life either. */
  private boolean servable(Entry entry, Instant now) {
    var readAt = entry.readAt();
    return !now.isBefore(readAt) && now.isBefore(readAt.plus(properties.inMemoryFor()));
  }
}
