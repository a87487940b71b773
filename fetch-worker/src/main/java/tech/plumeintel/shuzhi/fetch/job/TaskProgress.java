package tech.plumeintel.shuzhi.fetch.job;

import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.FAILED;
import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.PENDING;
import static tech.plumeintel.shuzhi.common.book.BookTaskStatus.RUNNING;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookTaskScript;
import tech.plumeintel.shuzhi.common.book.BookTaskStatus;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;

/**
 * The worker's side of the book tasks the API posts (see {@link BookTasks}): a job's progress, from
 * running to its end. Every write is conditional and atomic: it touches only a task hash that still
 * exists (so an expired task is not brought back, and its TTL stays the API's) and whose status
 * allows the step.
 */
@Component
class TaskProgress {

  /** What a conditional status write found. */
  enum Update {
    DONE,
    /** The task hash has expired or never existed. */
    GONE,
    /** The task is in a status the step does not follow, typically already ended. */
    REFUSED
  }

  private static final RedisScript<Long> ADVANCE =
      RedisScript.of(BookTaskScript.ADVANCE.source(), Long.class);

  private static final RedisScript<Long> RELEASE_IN_FLIGHT =
      RedisScript.of(BookTaskScript.RELEASE_IN_FLIGHT.source(), Long.class);

  private static final RedisScript<Long> SUCCEED =
      RedisScript.of(BookTaskScript.SUCCEED.source(), Long.class);

  private final StringRedisTemplate redis;
  private final Clock clock;

  TaskProgress(StringRedisTemplate redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  Update markRunning(String taskId) {
    return update(taskId, List.of(PENDING, RUNNING), BookTasks.FIELD_STATUS, RUNNING.wire());
  }

  /**
   * Ends the task succeeded, releases its claim on the book and forgets that the book was missing,
   * in one atomic step: a book held is not missing, whichever way the job found it.
   */
  Update succeed(String taskId, Isbn isbn) {
    var result =
        redis.execute(
            SUCCEED,
            List.of(BookTasks.task(taskId), BookTasks.inFlight(isbn), BookTasks.missing(isbn)),
            taskId,
            clock.instant().toString());
    return update(result);
  }

  Update markFailed(String taskId, String errorCode, String message) {
    return failFrom(taskId, List.of(PENDING, RUNNING), errorCode, message);
  }

  /** Fails a task past its deadline that no worker has started, as a poll would show it. */
  Update markExpired(String taskId) {
    return failFrom(taskId, List.of(PENDING), BookTasks.ERROR_UPSTREAM, BookTasks.MESSAGE_EXPIRED);
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

  private Update failFrom(String taskId, List<BookTaskStatus> from, String code, String message) {
    return update(
        taskId,
        from,
        BookTasks.FIELD_STATUS,
        FAILED.wire(),
        BookTasks.FIELD_ERROR_CODE,
        code,
        BookTasks.FIELD_ERROR_MESSAGE,
        message);
  }

  private Update update(String taskId, List<BookTaskStatus> from, String... fieldsAndValues) {
    var args = new ArrayList<String>();
    args.add(from.stream().map(BookTaskStatus::wire).collect(Collectors.joining(",")));
    Stream.of(fieldsAndValues).forEach(args::add);
    args.add(BookTasks.FIELD_UPDATED_AT);
    args.add(clock.instant().toString());
    return update(redis.execute(ADVANCE, List.of(BookTasks.task(taskId)), args.toArray()));
  }

  private static Update update(Long result) {
    return switch (result == null ? 0 : result.intValue()) {
      case 1 -> Update.DONE;
      case 0 -> Update.GONE;
      default -> Update.REFUSED;
    };
  }
}
