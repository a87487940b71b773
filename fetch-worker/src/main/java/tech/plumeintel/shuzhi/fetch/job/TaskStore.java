package tech.plumeintel.shuzhi.fetch.job;

import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.FAILED;
import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.PENDING;
import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.RUNNING;
import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.SUCCEEDED;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * The worker's side of the task store the API creates (see {@link BookTasks}). Every write is
 * conditional and atomic: it touches only a task hash that still exists (so an expired task is not
 * brought back, and its TTL stays the API's) and whose status allows the step.
 */
@Component
class TaskStore {

  /** What a conditional status write found. */
  enum Update {
    DONE,
    /** The task hash has expired or never existed. */
    GONE,
    /** The task is in a status the step does not follow, typically already ended. */
    REFUSED
  }

  // KEYS[1] task hash; ARGV[1] allowed current statuses, comma-separated; ARGV[2..] field, value...
  private static final RedisScript<Long> UPDATE_TASK = RedisScript.of("""
      if redis.call('exists', KEYS[1]) == 0 then return 0 end
      local status = redis.call('hget', KEYS[1], 'status')
      for allowed in string.gmatch(ARGV[1], '[^,]+') do
        if allowed == status then
          redis.call('hset', KEYS[1], unpack(ARGV, 2))
          return 1
        end
      end
      return -1
      """, Long.class);

  // Deletes the in-flight marker only if it still names this task: a newer task may own it now.
  private static final RedisScript<Long> RELEASE_IN_FLIGHT = RedisScript.of("""
      if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
      return 0
      """, Long.class);

  private final StringRedisTemplate redis;
  private final Clock clock;

  TaskStore(StringRedisTemplate redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  Update markRunning(String taskId) {
    return update(taskId, List.of(PENDING, RUNNING), BookTasks.FIELD_STATUS, RUNNING.wire());
  }

  Update markSucceeded(String taskId) {
    return update(taskId, List.of(PENDING, RUNNING), BookTasks.FIELD_STATUS, SUCCEEDED.wire());
  }

  Update markFailed(String taskId, String errorCode, String message) {
    return failFrom(taskId, List.of(PENDING, RUNNING), errorCode, message);
  }

  /** Fails a task that no worker has started, as the API's own deadline check would. */
  Update markExpired(String taskId, String message) {
    return failFrom(taskId, List.of(PENDING), BookTasks.ERROR_UPSTREAM, message);
  }

  /** Ends the task's claim on the book, so the next lookup of it starts a new task. */
  boolean releaseInFlight(Isbn isbn, String taskId) {
    var deleted = redis.execute(RELEASE_IN_FLIGHT, List.of(BookTasks.inFlight(isbn)), taskId);
    return deleted != null && deleted > 0;
  }

  /** Remembers that no source knows the book, so lookups answer 404 for a while. */
  void rememberMissing(Isbn isbn, Duration ttl) {
    redis.opsForValue().set(BookTasks.missing(isbn), clock.instant().toString(), ttl);
  }

  void forgetMissing(Isbn isbn) {
    redis.delete(BookTasks.missing(isbn));
  }

  private Update failFrom(String taskId, List<BookTaskStatus> from, String code, String message) {
    return update(taskId, from, BookTasks.FIELD_STATUS, FAILED.wire(),
        BookTasks.FIELD_ERROR_CODE, code, BookTasks.FIELD_ERROR_MESSAGE, message);
  }

  private Update update(String taskId, List<BookTaskStatus> from, String... fieldsAndValues) {
    var args = new ArrayList<String>();
    args.add(from.stream().map(BookTaskStatus::wire).collect(Collectors.joining(",")));
    Stream.of(fieldsAndValues).forEach(args::add);
    args.add(BookTasks.FIELD_UPDATED_AT);
    args.add(clock.instant().toString());
    var result = redis.execute(UPDATE_TASK, List.of(BookTasks.task(taskId)), args.toArray());
    return switch (result == null ? 0 : result.intValue()) {
      case 1 -> Update.DONE;
      case 0 -> Update.GONE;
      default -> Update.REFUSED;
    };
  }
}
