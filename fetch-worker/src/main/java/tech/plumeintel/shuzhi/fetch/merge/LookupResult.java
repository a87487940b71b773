package tech.plumeintel.shuzhi.fetch.merge;

import java.util.Map;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookFields;

/** What all the sources together know about a book. */
public sealed interface LookupResult {

  /**
   * At least one source knows the book.
   *
   * @param origins for each field, the name of the source it came from
   */
  record Found(BookFields fields, Map<BookField, String> origins) implements LookupResult {
    public Found {
      origins = Map.copyOf(origins);
    }
  }

  /** Every source answered, and none knows the book. */
  record Missing() implements LookupResult {}

  /**
   * No source knows the book, and at least one could not say (blocked or failed).
   *
   * @param outcomes per source, what it answered ({@code douban: blocked, ...}), for the reader
   */
  record Unavailable(String outcomes) implements LookupResult {}
}
