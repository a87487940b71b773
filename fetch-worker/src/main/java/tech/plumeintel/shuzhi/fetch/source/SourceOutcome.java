package tech.plumeintel.shuzhi.fetch.source;

/** What a source answered when asked for a book. */
public sealed interface SourceOutcome {

  /** The source knows the book. */
  record Found(BookFields fields) implements SourceOutcome {}

  /** The source answered, and does not know the book. */
  record Missing() implements SourceOutcome {}

  /**
   * The source refused us (rate limit, anti-bot page, login wall): it says nothing about the book.
   */
  record Blocked(String reason) implements SourceOutcome {}

  /** The source could not be asked: timeouts, errors, answers we cannot read. */
  record Failed(String reason) implements SourceOutcome {}

  /** A word for metrics and logs. */
  default String label() {
    return switch (this) {
      case Found f -> "found";
      case Missing m -> "missing";
      case Blocked b -> "blocked";
      case Failed f -> "error";
    };
  }
}
