package tech.plumeintel.shuzhi.api.book;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** Decides how a lookup is answered: from the store, from a task, or as a known-missing book. */
@Component
public class BookLookup {

  /** How a lookup was answered. */
  sealed interface Outcome {
    record Known(Book book) implements Outcome {}

    record Pending(String taskId) implements Outcome {}
  }

  private static final Logger log = LoggerFactory.getLogger(BookLookup.class);

  private final RecentBooks books;
  private final TaskBoard tasks;
  private final FetchJobs jobs;
  private final BooksProperties properties;
  private final Clock clock;
  private final Map<String, Counter> outcomes;

  BookLookup(
      RecentBooks books,
      TaskBoard tasks,
      FetchJobs jobs,
      BooksProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.books = books;
    this.tasks = tasks;
    this.jobs = jobs;
    this.properties = properties;
    this.clock = clock;
    this.outcomes =
        Map.of(
            "hit",
            lookups(meters, "hit"),
            "stale",
            lookups(meters, "stale"),
            "miss",
            lookups(meters, "miss"),
            "negative",
            lookups(meters, "negative"));
  }

  Outcome lookUp(Isbn isbn) {
    var stored = books.find(isbn);
    if (stored.isPresent()) {
      var book = stored.get();
      if (book.fetchedAt().plus(properties.freshness()).isAfter(clock.instant())) {
        outcomes.get("hit").increment();
      } else {
        outcomes.get("stale").increment();
        refreshQuietly(isbn);
      }
      return new Outcome.Known(book);
    }
    if (tasks.knownMissing(isbn)) {
      outcomes.get("negative").increment();
      throw ApiException.notFound("没有找到这本书");
    }
    outcomes.get("miss").increment();
    return new Outcome.Pending(start(isbn));
  }

  /** Starts (or joins) a lookup; used also when a reader saves a book we do not know yet. */
  public String start(Isbn isbn) {
    var started = tasks.startOrJoin(isbn);
    if (started.created()) {
      try {
        jobs.publish(started.taskId(), isbn, started.deadline());
      } catch (ApiException e) {
        tasks.abandon(started.taskId(), isbn, "查书服务暂时不可用");
        throw e;
      }
      log.info("Book lookup task {} started for {}", started.taskId(), isbn.value());
    }
    return started.taskId();
  }

  /** A stale book is still served; refreshing it is best effort. */
  private void refreshQuietly(Isbn isbn) {
    try {
      start(isbn);
    } catch (RuntimeException e) {
      log.warn("Could not start the refresh of stale book {}: {}", isbn.value(), e.toString());
    }
  }

  private static Counter lookups(MeterRegistry meters, String outcome) {
    return Counter.builder("shuzhi.books.lookups")
        .description("Book lookups by how they were answered")
        .tag("outcome", outcome)
        .register(meters);
  }
}
