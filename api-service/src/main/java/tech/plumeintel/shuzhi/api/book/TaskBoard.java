package tech.plumeintel.shuzhi.api.book;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookTaskScript;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/**
 * The API's side of the book tasks in Redis (see {@link BookTasks}), shared by every API instance:
 * where a lookup posts its task and a reader's poll reads it. Starting a lookup is one atomic
 * script, so any number of concurrent lookups of one ISBN, on any instance, share one task and one
 * Kafka record. The fetch-worker's {@code TaskProgress} moves the tasks on.
 */
@Component
class TaskBoard {

  private static final RedisScript<List> START_OR_JOIN =
      RedisScript.of(BookTaskScript.START_OR_JOIN.source(), List.class);

  private static final RedisScript<Long> ABANDON =
      RedisScript.of(BookTaskScript.ABANDON.source(), Long.class);

  private final StringRedisTemplate redis;
  private final BooksProperties properties;
  private final Clock clock;
  private final IdGenerator ids;

  TaskBoard(StringRedisTemplate redis, BooksProperties properties, Clock clock, IdGenerator ids) {
    this.redis = redis;
    this.properties = properties;
    this.clock = clock;
    this.ids = ids;
  }

  /** A task for this book: joined, or created (then the caller must publish its job). */
  Started startOrJoin(Isbn isbn) {
    var now = clock.instant();
    var id = ids.next();
    List<?> result =
        redis.execute(
            START_OR_JOIN,
            List.of(BookTasks.inFlight(isbn), BookTasks.task(id)),
            id,
            isbn.value(),
            now.toString(),
            now.plus(properties.taskDeadline()).toString(),
            Long.toString(properties.taskRetention().toSeconds()),
            Long.toString(properties.taskDeadline().toMillis()),
            BookTasks.task(""));
    return new Started(
        (String) result.get(0), "1".equals(result.get(1)), now.plus(properties.taskDeadline()));
  }

  Optional<BookTask> find(String taskId) {
    var hash = redis.opsForHash().entries(BookTasks.task(taskId));
    if (hash.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(BookTask.of(taskId, hash).asSeenAt(clock.instant()));
  }

  void abandon(String taskId, Isbn isbn, String message) {
    redis.execute(
        ABANDON,
        List.of(BookTasks.task(taskId), BookTasks.inFlight(isbn)),
        taskId,
        BookTasks.ERROR_UPSTREAM,
        message,
        clock.instant().toString());
  }

  boolean knownMissing(Isbn isbn) {
    return Boolean.TRUE.equals(redis.hasKey(BookTasks.missing(isbn)));
  }

  record Started(String taskId, boolean created, Instant deadline) {
    BookTaskStatus status() {
      return BookTaskStatus.PENDING;
    }
  }
}
