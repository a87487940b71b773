package tech.plumeintel.shuzhi.api.book;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.BookTasks;

/** A book task as read from its Redis hash. */
record BookTask(
    String id,
    BookTaskStatus status,
    String isbn,
    @Nullable String errorCode,
    @Nullable String errorMessage,
    Instant deadline) {

  static BookTask of(String id, Map<Object, Object> hash) {
    return new BookTask(
        id,
        BookTaskStatus.fromWire((String) hash.get(BookTasks.FIELD_STATUS)),
        (String) hash.get(BookTasks.FIELD_ISBN),
        (String) hash.get(BookTasks.FIELD_ERROR_CODE),
        (String) hash.get(BookTasks.FIELD_ERROR_MESSAGE),
        Instant.parse((String) hash.get(BookTasks.FIELD_DEADLINE)));
  }

  /** A task nobody finished in time is over for the reader, whatever a late worker may still do. */
  BookTask asSeenAt(Instant now) {
    if (!status.isFinal() && BookTasks.pastDeadline(deadline, now)) {
      return new BookTask(
          id,
          BookTaskStatus.FAILED,
          isbn,
          BookTasks.ERROR_UPSTREAM,
          BookTasks.MESSAGE_EXPIRED,
          deadline);
    }
    return this;
  }
}
