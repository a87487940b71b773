package tech.plumeintel.shuzhi.common.book;

import java.time.Duration;
import java.time.Instant;

/**
 * The API asks a fetch-worker to find a book. Keyed by the ISBN-13, so that all requests for one
 * book land on one partition.
 *
 * @param taskId the task the reader polls; the worker advances it in Redis
 * @param deadline after it the task has already been reported failed, so the work is pointless (see
 *     {@link BookTasks#pastDeadline})
 * @param freshness a stored copy of the book fetched within this is served as is, without asking
 *     the sources: the API's own freshness, so that both sides judge a copy alike; {@link
 *     #DEFAULT_FRESHNESS} for a job that names none (published by an older API)
 */
public record BookFetchRequested(
    String taskId, String isbn, Instant requestedAt, Instant deadline, Duration freshness) {

  public static final String TOPIC = "book.fetch.requested";

  /** The freshness of a job that names none; the API's default. */
  public static final Duration DEFAULT_FRESHNESS = Duration.ofDays(30);

  public BookFetchRequested {
    freshness = freshness == null ? DEFAULT_FRESHNESS : freshness;
  }

  /** A job with the default freshness. */
  public BookFetchRequested(String taskId, String isbn, Instant requestedAt, Instant deadline) {
    this(taskId, isbn, requestedAt, deadline, DEFAULT_FRESHNESS);
  }
}
