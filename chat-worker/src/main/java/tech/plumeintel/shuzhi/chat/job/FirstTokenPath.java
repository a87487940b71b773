package tech.plumeintel.shuzhi.chat.job;

import java.time.Duration;
import java.time.Instant;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A flight-recorder event per stream, committed with its first published frame: where the time to
 * the first token went, hop by hop, inside the worker. Costs next to nothing unless a recording is
 * running ({@code jfr print --events tech.plumeintel.shuzhi.chat.FirstTokenPath f.jfr}).
 */
@Name("tech.plumeintel.shuzhi.chat.FirstTokenPath")
@Label("First token path")
@Category("Shuzhi")
@Description("From the API's request to the worker's first published frame, by hop")
@StackTrace(false)
final class FirstTokenPath extends Event {

  @Label("Request id")
  String requestId;

  @Label("Requested to picked up")
  @Description("The API's requestedAt until a stream thread has the job: API, Kafka, listener")
  @Timespan(Timespan.MICROSECONDS)
  long queued;

  @Label("Picked up to prompt ready")
  @Description("The book, from memory or MongoDB; the claim's round trip to Redis has begun")
  @Timespan(Timespan.MICROSECONDS)
  long book;

  @Label("Prompt ready to first token read")
  @Description(
      "Model request sent until its first thinking or answer token is decoded; the claim's answer"
          + " and the lease's round trip are awaited in this time")
  @Timespan(Timespan.MICROSECONDS)
  long model;

  @Label("First token read to first frame sent")
  @Timespan(Timespan.MICROSECONDS)
  long publish;

  private transient long mark;
  private transient boolean tokenSeen;

  FirstTokenPath(String requestId, Instant requestedAt, Instant pickedUp) {
    this.requestId = requestId;
    this.queued = Duration.between(requestedAt, pickedUp).toNanos() / 1_000;
    this.mark = System.nanoTime();
    begin();
  }

  void promptReady() {
    book = lap();
  }

  void tokenRead() {
    if (!tokenSeen) {
      tokenSeen = true;
      model = lap();
    }
  }

  /** Commits once the first token's frame has been sent; later calls do nothing. */
  void sent() {
    if (tokenSeen && publish == 0) {
      publish = Math.max(1, lap());
      commit();
    }
  }

  private long lap() {
    long now = System.nanoTime();
    long micros = (now - mark) / 1_000;
    mark = now;
    return micros;
  }
}
