package tech.plumeintel.shuzhi.api.user;

import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.book.BookLookup;
import tech.plumeintel.shuzhi.api.book.BookStore;
import tech.plumeintel.shuzhi.api.book.BookView;
import tech.plumeintel.shuzhi.api.book.IsbnParameter;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.api.web.LimitsProperties;
import tech.plumeintel.shuzhi.api.web.RateLimits;
import tech.plumeintel.shuzhi.common.book.Book;

/** The reader's saved books. */
@RestController
@RequestMapping("/api/user/collections/")
class CollectionController {

  private final SavedBooks saved;
  private final BookStore books;
  private final BookLookup lookup;
  private final RateLimits limits;
  private final LimitsProperties properties;

  CollectionController(
      SavedBooks saved,
      BookStore books,
      BookLookup lookup,
      RateLimits limits,
      LimitsProperties properties) {
    this.saved = saved;
    this.books = books;
    this.lookup = lookup;
    this.limits = limits;
    this.properties = properties;
  }

  @GetMapping
  PageRequest.Page<SavedView> list(
      Caller caller,
      @RequestParam(required = false) @Nullable String limit,
      @RequestParam(required = false) @Nullable String offset) {
    var page = PageRequest.of(limit, offset);
    var entries = saved.page(caller.userId(), page);
    var known =
        books.findAll(entries.stream().map(SavedBook::isbn).toList()).stream()
            .collect(Collectors.toMap(Book::isbn, Function.identity()));
    var results =
        entries.stream()
            .map(
                e ->
                    new SavedView(
                        e.isbn(),
                        e.savedAt(),
                        known.containsKey(e.isbn())
                            ? BookView.ofCurrentRequest(known.get(e.isbn()))
                            : null,
                        null))
            .toList();
    return page.page(saved.count(caller.userId()), results);
  }

  /**
   * Idempotent: saving a saved book keeps its one entry. An unknown book starts its lookup, and so
   * takes the reader's lookup limit like {@code GET /api/books/{isbn}/}: otherwise saving would
   * queue fetch jobs without bound and spend the sources' shared per-host budget for everyone.
   */
  @PostMapping
  SavedView save(Caller caller, @RequestBody SaveRequest request) {
    var isbn = IsbnParameter.parse(request.isbn());
    var book = books.find(isbn);
    if (book.isEmpty()) {
      limits.take(RateLimits.Limit.LOOKUP_USER, caller.userId());
    }
    var entry =
        saved
            .save(caller.userId(), isbn, properties.savedBooksPerReader())
            .orElseThrow(
                () ->
                    ApiException.invalid(
                        "收藏已满（最多 " + properties.savedBooksPerReader() + " 本），请先删除一些"));
    String taskId = null;
    if (book.isEmpty()) {
      try {
        taskId = lookup.start(isbn);
      } catch (ApiException e) {
        // The book is saved; its lookup can start again when the reader opens it.
      }
    }
    return new SavedView(
        entry.isbn(), entry.savedAt(), book.map(BookView::ofCurrentRequest).orElse(null), taskId);
  }

  @DeleteMapping("{isbn}/")
  Map<String, Object> remove(Caller caller, @PathVariable String isbn) {
    if (!saved.remove(caller.userId(), IsbnParameter.parse(isbn))) {
      throw ApiException.notFound("收藏里没有这本书");
    }
    return Map.of("deleted", true);
  }

  record SaveRequest(@Nullable String isbn) {}

  record SavedView(
      String isbn, Instant savedAt, @Nullable BookView book, @Nullable String taskId) {}
}
