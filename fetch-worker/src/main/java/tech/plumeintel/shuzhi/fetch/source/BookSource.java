package tech.plumeintel.shuzhi.fetch.source;

import java.time.Instant;
import java.util.Set;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * A place that may know a book. Whatever the source does is an outcome, never an exception; only a
 * failure of our own infrastructure (Redis, which holds the rate limits) propagates, so that the
 * job is delivered again.
 */
public interface BookSource {

  /** The name recorded in a book's {@code sources} map and in metrics. */
  String name();

  /** The fields this source can ever fill, so that it is not asked for what it cannot add. */
  Set<BookField> provides();

  /**
   * Asks the source for the book.
   *
   * @param deadline after it the answer is useless; waits and retries stop before it
   */
  SourceOutcome lookUp(Isbn isbn, Instant deadline);
}
