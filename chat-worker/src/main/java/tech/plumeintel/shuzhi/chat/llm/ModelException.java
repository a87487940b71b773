package tech.plumeintel.shuzhi.chat.llm;

import org.jspecify.annotations.Nullable;

/**
 * A generation that could not go on. Its message names the upstream status or the kind of failure,
 * never the key, the prompt or the answer.
 */
public final class ModelException extends Exception {

  /** Why the generation stopped. */
  public enum Kind {
    /** The endpoint answered with an error status (401 bad key, 402 no balance, 429, 5xx…). */
    REJECTED,
    /** The endpoint could not be reached or the connection broke. */
    UNAVAILABLE,
    /** A timeout (first token, idle, total) ran out. */
    TIMEOUT,
    /** The endpoint answered something that is not an OpenAI chunk stream. */
    MALFORMED,
    /** The reader closed the stream (a cancel). */
    CLOSED
  }

  private final Kind kind;
  private final @Nullable Integer status;

  ModelException(Kind kind, String message) {
    this(kind, null, message, null);
  }

  ModelException(Kind kind, @Nullable Integer status, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
  }

  public Kind kind() {
    return kind;
  }

  /** The HTTP status for {@link Kind#REJECTED}. */
  public @Nullable Integer status() {
    return status;
  }

  /** Worth another attempt when nothing was streamed yet: rate limits, server errors, outages. */
  boolean retryable() {
    return switch (kind) {
      case UNAVAILABLE -> true;
      case REJECTED -> status != null && (status == 429 || status >= 500);
      case TIMEOUT, MALFORMED, CLOSED -> false;
    };
  }
}
