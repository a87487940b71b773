package tech.plumeintel.shuzhi.api.book;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/**
 * Book tasks in Redis, shared by every API instance. Starting a lookup is one atomic script, so any
 * number of concurrent lookups of one ISBN, on any instance, share one task and one Kafka record.
 */
@Component
class TaskStore {

  /**
   * Joins the unfinished task named by the in-flight key, or creates a task and names it there. The
   * in-flight key lives no longer than the task's deadline, so a lost job never blocks a book.
   */
  private static final RedisScript<List> START_OR_JOIN =
      RedisScript.of(
          """
      local existing = redis.call('GET', KEYS[1])
      if existing then
        local status = redis.call('HGET', ARGV[7] .. existing, 'status')
        if status == 'pending' or status == 'running' then
          return {existing, '0'}
        end
      end
      redis.call('HSET', KEYS[2], 'status', 'pending', 'isbn', ARGV[2],
          'created_at', ARGV[3], 'updated_at', ARGV[3], 'deadline', ARGV[4])
      redis.call('EXPIRE', KEYS[2], ARGV[5])
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[6])
      return {ARGV[1], '1'}
      """,
          List.class);

  /** Fails a task that could not be handed to Kafka, and frees the book for the next lookup. */
  private static final RedisScript<Long> ABANDON =
      RedisScript.of(
          """
      if redis.call('EXISTS', KEYS[1]) == 1 then
        redis.call('HSET', KEYS[1], 'status', 'failed', 'error_code', ARGV[2],
            'error_message', ARGV[3], 'updated_at', ARGV[4])
      end
      if redis.call('GET', KEYS[2]) == ARGV[1] then
        redis.call('DEL', KEYS[2])
      end
      return 1
      """,
          Long.class);

  private final StringRedisTemplate redis;
  private final BooksProperties properties;
  private final Clock clock;
  private final IdGenerator ids;

  TaskStore(StringRedisTemplate redis, BooksProperties properties, Clock clock, IdGenerator ids) {
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

  record Started(String taskId, boolean created, java.time.Instant deadline) {
    BookTaskStatus status() {
      return BookTaskStatus.PENDING;
    }
  }
}
