package tech.plumeintel.shuzhi.fetch.merge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookFields;
import tech.plumeintel.shuzhi.fetch.source.BookSource;
import tech.plumeintel.shuzhi.fetch.source.SourceOutcome;

/**
 * Asks the sources in their order (Douban, Open Library, Google Books) and merges what they found:
 * the first source that has a field wins it. Once some source found the book, a later one is asked
 * only if it could fill a core field still empty, so a complete Douban page costs one request.
 */
@Component
public class SourceChain {

  private static final Logger log = LoggerFactory.getLogger(SourceChain.class);

  private final List<BookSource> sources;
  private final MeterRegistry meters;

  /**
   * @param sources in the order they are asked (their {@code @Order})
   */
  public SourceChain(List<BookSource> sources, MeterRegistry meters) {
    this.sources = List.copyOf(sources);
    this.meters = meters;
  }

  public LookupResult lookUp(Isbn isbn, Instant deadline) {
    var merged = BookFields.builder();
    var origins = new EnumMap<BookField, String>(BookField.class);
    var outcomes = new ArrayList<String>();
    boolean found = false;
    boolean unsure = false;
    for (var source : sources) {
      if (found && !canAdd(source, merged)) {
        continue;
      }
      var outcome = ask(source, isbn, deadline);
      outcomes.add(source.name() + ": " + outcome.label());
      switch (outcome) {
        case SourceOutcome.Found(var fields) -> {
          found = true;
          for (var field : fields.present()) {
            if (!merged.has(field)) {
              merged.put(field, fields.get(field));
              origins.put(field, source.name());
            }
          }
        }
        case SourceOutcome.Missing() -> {}
        case SourceOutcome.Blocked b -> unsure = true;
        case SourceOutcome.Failed f -> unsure = true;
      }
    }
    if (found) {
      return new LookupResult.Found(merged.build(), origins);
    }
    return unsure
        ? new LookupResult.Unavailable(String.join(", ", outcomes))
        : new LookupResult.Missing();
  }

  private static boolean canAdd(BookSource source, BookFields.Builder merged) {
    for (var field : source.provides()) {
      if (field.core() && !merged.has(field)) {
        return true;
      }
    }
    return false;
  }

  private SourceOutcome ask(BookSource source, Isbn isbn, Instant deadline) {
    long started = System.nanoTime();
    var outcome = source.lookUp(isbn, deadline);
    long elapsed = System.nanoTime() - started;
    var label = outcome.label();
    Counter.builder("shuzhi.books.fetches")
        .description("Book lookups asked of a source, by what it answered")
        .tag("source", source.name())
        .tag("outcome", label)
        .register(meters)
        .increment();
    Timer.builder("shuzhi.books.fetch.duration")
        .description("Time a source took to answer a book lookup, retries and rate waits included")
        .tag("source", source.name())
        .tag("outcome", label)
        .register(meters)
        .record(elapsed, TimeUnit.NANOSECONDS);
    switch (outcome) {
      case SourceOutcome.Blocked(var reason) ->
          log.warn("{} blocked lookup of {}: {}", source.name(), isbn, reason);
      case SourceOutcome.Failed(var reason) ->
          log.warn("{} failed lookup of {}: {}", source.name(), isbn, reason);
      default -> log.info("{} {} {} in {} ms", source.name(), label, isbn, elapsed / 1_000_000);
    }
    return outcome;
  }
}
