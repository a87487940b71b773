package tech.plumeintel.shuzhi.chat.llm;

import java.util.Locale;
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

  /**
   * Worth asking another upstream (or key) before the first token: outages, rate limits, server
   * errors, refused keys, a first-token timeout, an answer that is not a chunk stream. Not a
   * request the upstream judged malformed (400, 413, 422), which any other would refuse too.
   */
  boolean failoverWorthy() {
    return switch (kind) {
      case UNAVAILABLE, TIMEOUT, MALFORMED -> true;
      case REJECTED -> status == null || !(status == 400 || status == 413 || status == 422);
      case CLOSED -> false;
    };
  }

  /**
   * Worth continuing an answer that broke off after its first token (also when the continuation's
   * own request was turned away for its key: another key or upstream continues it).
   */
  boolean continuable() {
    return switch (kind) {
      case UNAVAILABLE, TIMEOUT, MALFORMED -> true;
      case REJECTED ->
          status == null || status == 429 || status >= 500 || status == 401 || status == 402;
      case CLOSED -> false;
    };
  }

  /** The failure as a metric tag: the kind, and the status class for an error status. */
  String reason() {
    if (status != null) {
      return status == 429 || status == 401 || status == 402
          ? "status_" + status
          : "status_" + (status / 100) + "xx";
    }
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
