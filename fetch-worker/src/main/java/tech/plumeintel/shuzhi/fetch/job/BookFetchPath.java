package tech.plumeintel.shuzhi.fetch.job;

import java.time.Duration;
import java.time.Instant;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import org.jspecify.annotations.Nullable;

/**
 * A flight-recorder event per lookup that asked the sources, committed when its task ends: where a
 * cache miss's time went inside the worker, step by step. Costs next to nothing unless a recording
 * is running ({@code jfr print --events tech.plumeintel.shuzhi.fetch.BookFetchPath f.jfr}).
 */
@Name("tech.plumeintel.shuzhi.fetch.BookFetchPath")
@Label("Book fetch path")
@Category("Shuzhi")
@Description("From the API's request to the task's end, by step")
@StackTrace(false)
final class BookFetchPath extends Event {

  @Label("Task id")
  String taskId;

  @Label("Requested to picked up")
  @Description("The API's requestedAt until the listener has the job: API, Kafka, listener")
  @Timespan(Timespan.MICROSECONDS)
  long queued;

  @Label("Task marked running")
  @Timespan(Timespan.MICROSECONDS)
  long running;

  @Label("Stored copy read")
  @Timespan(Timespan.MICROSECONDS)
  long stored;

  @Label("Sources asked")
  @Timespan(Timespan.MICROSECONDS)
  long sources;

  @Label("Cover mirrored")
  @Timespan(Timespan.MICROSECONDS)
  long cover;

  @Label("Book saved")
  @Timespan(Timespan.MICROSECONDS)
  long saved;

  @Label("Task ended")
  @Timespan(Timespan.MICROSECONDS)
  long ended;

  private transient long mark;

  BookFetchPath(String taskId, @Nullable Instant requestedAt, Instant pickedUp) {
    if (isEnabled()) {
      this.taskId = taskId;
      this.queued =
          requestedAt == null ? 0 : Duration.between(requestedAt, pickedUp).toNanos() / 1_000;
      this.mark = System.nanoTime();
      begin();
    }
  }

  void running() {
    running = lap();
  }

  void stored() {
    stored = lap();
  }

  void sourcesAsked() {
    sources = lap();
  }

  void coverMirrored() {
    cover = lap();
  }

  void saved() {
    saved = lap();
  }

  /** Commits the event; a lookup that ended before asking the sources is not one. */
  void ended() {
    if (mark != 0 && sources != 0) {
      ended = lap();
      commit();
    }
  }

  private long lap() {
    if (mark == 0) {
      return 0;
    }
    long now = System.nanoTime();
    long micros = Math.max(1, (now - mark) / 1_000);
    mark = now;
    return micros;
  }
}
