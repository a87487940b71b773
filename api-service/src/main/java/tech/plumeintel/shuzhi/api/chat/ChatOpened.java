package tech.plumeintel.shuzhi.api.chat;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A flight-recorder event per new chat, committed once its job is acknowledged: where the API's
 * part of the time to the first token went, step by step; the chat-worker's {@code JobReceived} and
 * {@code FirstTokenPath} events go on from there, and {@link FirstFrameRelayed} ends it. Costs next
 * to nothing unless a recording is running ({@code jfr print --events
 * tech.plumeintel.shuzhi.api.ChatOpened f.jfr}).
 */
@Name("tech.plumeintel.shuzhi.api.ChatOpened")
@Label("Chat opened")
@Category("Shuzhi")
@Description("From the chat controller to the job's acknowledgement by Kafka, by step")
@StackTrace(false)
final class ChatOpened extends Event {

  @Label("Request id")
  String requestId;

  @Label("Limits")
  @Description(
      "The request's fields, then in one call the chat limits, the daily budget, the client"
          + " message's claim and the stream's record")
  @Timespan(Timespan.MICROSECONDS)
  long limits;

  @Label("Checks")
  @Description("The question's content-security check (and the budget if the limits could not ask)")
  @Timespan(Timespan.MICROSECONDS)
  long checks;

  @Label("Recorded")
  @Description("Nothing, unless the limits could not ask Redis: then the claim and the record")
  @Timespan(Timespan.MICROSECONDS)
  long recorded;

  @Label("Sent")
  @Description("Until the producer has the job; its own time until the worker takes it counts on")
  @Timespan(Timespan.MICROSECONDS)
  long sent;

  @Label("Subscribed and acknowledged")
  @Description("Until the stream's subscription is confirmed and Kafka has acknowledged the job")
  @Timespan(Timespan.MICROSECONDS)
  long acknowledged;

  private transient long mark;

  ChatOpened() {
    if (isEnabled()) {
      mark = System.nanoTime();
      begin();
    }
  }

  void limitsTaken() {
    limits = lap();
  }

  void checked() {
    checks = lap();
  }

  void recorded(String requestId) {
    this.requestId = requestId;
    recorded = lap();
  }

  void sent() {
    sent = lap();
  }

  /** Commits: the job is on Kafka and the stream subscribed. */
  void acknowledged() {
    if (mark != 0) {
      acknowledged = lap();
      commit();
    }
  }

  private long lap() {
    if (mark == 0) {
      return 0;
    }
    long now = System.nanoTime();
    long micros = (now - mark) / 1_000;
    mark = now;
    return micros;
  }
}
