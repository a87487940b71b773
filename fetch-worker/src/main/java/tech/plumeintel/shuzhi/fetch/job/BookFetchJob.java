package tech.plumeintel.shuzhi.fetch.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.cover.CoverMirror;
import tech.plumeintel.shuzhi.fetch.merge.LookupResult;
import tech.plumeintel.shuzhi.fetch.merge.SourceChain;
import tech.plumeintel.shuzhi.fetch.source.BookField;

/**
 * One lookup: start the task, find the book (in MongoDB if fresh, else from the sources), store it
 * with its cover, end the task. Store failures propagate, so Kafka delivers the job again.
 */
@Component
class BookFetchJob {

  private static final Logger log = LoggerFactory.getLogger(BookFetchJob.class);
  static final String MESSAGE_NOT_FOUND = "没有找到这本书";

  private final TaskProgress tasks;
  private final BookStore books;
  private final SourceChain sources;
  private final CoverMirror covers;
  private final FetchJobProperties properties;
  private final Clock clock;

  BookFetchJob(
      TaskProgress tasks,
      BookStore books,
      SourceChain sources,
      CoverMirror covers,
      FetchJobProperties properties,
      Clock clock) {
    this.tasks = tasks;
    this.books = books;
    this.sources = sources;
    this.covers = covers;
    this.properties = properties;
    this.clock = clock;
  }

  void run(BookFetchRequested request) {
    var isbn = Isbn.parse(request.isbn());
    var taskId = request.taskId();
    var now = clock.instant();
    var path = new BookFetchPath(taskId, request.requestedAt(), now);
    var deadline =
        request.deadline() != null ? request.deadline() : now.plus(properties.defaultTimeout());
    if (BookTasks.pastDeadline(deadline, now)) {
      var update = tasks.markExpired(taskId);
      tasks.releaseInFlight(isbn, taskId);
      log.info("Task {} for {} dropped: deadline passed ({})", taskId, isbn, update);
      return;
    }
    // The task's step to running (Redis) and the stored copy's read (MongoDB) overlap: both stand
    // before the sources are asked. A duplicate delivery costs a wasted read.
    var storedRead = new FutureTask<>(() -> books.find(isbn));
    Thread.ofVirtual().name("stored-copy-read").start(storedRead);
    if (tasks.markRunning(taskId) == TaskProgress.Update.REFUSED) {
      tasks.releaseInFlight(isbn, taskId);
      log.info("Task {} for {} already ended; duplicate delivery dropped", taskId, isbn);
      return;
    }
    path.running();
    var stored = result(storedRead);
    path.stored();
    if (stored.isPresent() && isFresh(stored.get(), request.freshness(), now)) {
      succeeded(taskId, isbn, "fresh copy");
      return;
    }
    var result = sources.lookUp(isbn, deadline);
    path.sourcesAsked();
    switch (result) {
      case LookupResult.Found found -> {
        var book = book(isbn, found, stored, deadline);
        path.coverMirrored();
        books.save(book);
        path.saved();
        succeeded(taskId, isbn, "found");
        path.ended();
      }
      case LookupResult.Missing missing when stored.isPresent() ->
          succeeded(taskId, isbn, "missing now, stale copy kept");
      case LookupResult.Missing missing -> {
        tasks.rememberMissing(isbn, properties.missingTtl());
        finish(
            taskId,
            isbn,
            "missing",
            tasks.markFailed(taskId, BookTasks.ERROR_NOT_FOUND, MESSAGE_NOT_FOUND));
      }
      // A stale copy serves the reader better than an error.
      case LookupResult.Unavailable unavailable when stored.isPresent() ->
          succeeded(taskId, isbn, "sources unavailable, stale copy kept");
      case LookupResult.Unavailable(var outcomes) ->
          finish(
              taskId,
              isbn,
              "sources unavailable (" + outcomes + ")",
              tasks.markFailed(
                  taskId, BookTasks.ERROR_UPSTREAM, "书目来源暂时无法访问，请稍后重试（" + outcomes + "）"));
    }
  }

  private static <T> T result(FutureTask<T> task) {
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the stored copy", e);
    }
  }

  /** Judged by the API's freshness, which the job carries, so both sides agree on a copy. */
  private static boolean isFresh(Book book, Duration freshness, Instant now) {
    return book.fetchedAt() != null && book.fetchedAt().plus(freshness).isAfter(now);
  }

  private void succeeded(String taskId, Isbn isbn, String outcome) {
    log.info("Task {} for {}: {} (task {})", taskId, isbn, outcome, tasks.succeed(taskId, isbn));
  }

  private void finish(String taskId, Isbn isbn, String outcome, TaskProgress.Update update) {
    tasks.releaseInFlight(isbn, taskId);
    log.info("Task {} for {}: {} (task {})", taskId, isbn, outcome, update);
  }

  private Book book(Isbn isbn, LookupResult.Found found, Optional<Book> stored, Instant deadline) {
    var fields = found.fields();
    var coverUrl = fields.text(BookField.COVER);
    boolean coverStored = false;
    if (coverUrl != null) {
      boolean sameCover =
          stored
              .filter(Book::coverStored)
              .filter(old -> coverUrl.equals(old.coverSourceUrl()))
              .isPresent();
      coverStored = sameCover && covers.hasCopy(isbn) || covers.mirror(isbn, coverUrl, deadline);
    }
    var origins = new LinkedHashMap<String, String>();
    found.origins().forEach((field, source) -> origins.put(field.key(), source));
    return new Book(
        isbn.value(),
        fields.text(BookField.TITLE),
        fields.text(BookField.SUBTITLE),
        fields.text(BookField.ORIGINAL_TITLE),
        fields.text(BookField.AUTHOR),
        fields.text(BookField.TRANSLATOR),
        fields.text(BookField.PUBLISHER),
        fields.text(BookField.PUB_DATE),
        fields.integer(BookField.PAGES),
        fields.text(BookField.PRICE),
        fields.text(BookField.BINDING),
        fields.text(BookField.SERIES),
        fields.decimal(BookField.RATING),
        fields.integer(BookField.RATING_COUNT),
        fields.text(BookField.INTRODUCTION),
        fields.text(BookField.AUTHOR_INTRO),
        coverUrl,
        coverStored,
        origins,
        clock.instant());
  }
}
