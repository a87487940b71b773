package tech.plumeintel.shuzhi.common.book;

import java.time.Instant;

/**
 * The book task store in Redis, written by the API (creates tasks) and the fetch-worker (advances
 * them), both through the {@link BookTaskScript}s. A task is a hash under {@link #task(String)}
 * with the {@code FIELD_*} fields, its status one of {@link BookTaskStatus}; all keys expire.
 */
public final class BookTasks {

  public static final String FIELD_STATUS = "status";
  public static final String FIELD_ISBN = "isbn";
  public static final String FIELD_ERROR_CODE = "error_code";
  public static final String FIELD_ERROR_MESSAGE = "error_message";
  public static final String FIELD_CREATED_AT = "created_at";
  public static final String FIELD_UPDATED_AT = "updated_at";
  public static final String FIELD_DEADLINE = "deadline";

  /** Error code of a task whose book no source knows. */
  public static final String ERROR_NOT_FOUND = "NOT_FOUND";

  /** Error code of a task whose sources all failed or refused us. */
  public static final String ERROR_UPSTREAM = "UPSTREAM_ERROR";

  /**
   * Message of a task not finished by its deadline, whichever side notices first: the API answering
   * a poll or the worker receiving the job late.
   */
  public static final String MESSAGE_EXPIRED = "查找超时，请稍后再试";

  private BookTasks() {}

  /**
   * The one expiry rule: from its deadline on, an unfinished task is failed with {@link
   * #ERROR_UPSTREAM} and {@link #MESSAGE_EXPIRED}, whatever a late worker may still do, and its job
   * is dropped unstarted.
   */
  public static boolean pastDeadline(Instant deadline, Instant now) {
    return !now.isBefore(deadline);
  }

  /** The task hash. */
  public static String task(String taskId) {
    return "book:task:" + taskId;
  }

  /** The id of the task currently looking up this book, so concurrent lookups share it. */
  public static String inFlight(Isbn isbn) {
    return "book:in-flight:" + isbn.value();
  }

  /** Present while the book is known to be missing from every source (negative cache). */
  public static String missing(Isbn isbn) {
    return "book:missing:" + isbn.value();
  }
}
