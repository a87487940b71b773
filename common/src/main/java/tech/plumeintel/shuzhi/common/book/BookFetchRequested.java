package tech.plumeintel.shuzhi.common.book;

import java.time.Instant;

/**
 * The API asks a fetch-worker to find a book. Keyed by the ISBN-13, so that all requests for one
 * book land on one partition.
 *
 * @param taskId the task the reader polls; the worker advances it in Redis
 * @param deadline after it the task has already been reported failed, so the work is pointless
 */
public record BookFetchRequested(
    String taskId, String isbn, Instant requestedAt, Instant deadline) {

  public static final String TOPIC = "book.fetch.requested";
}
