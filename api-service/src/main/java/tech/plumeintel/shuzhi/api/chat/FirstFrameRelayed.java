package tech.plumeintel.shuzhi.api.chat;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A flight-recorder event per connection: its first live frame other than a heartbeat, from its
 * arrival on Redis's I/O thread until it is flushed to the client (the event's duration). The last
 * hop of the time to the first token, after the chat-worker's {@code FirstTokenPath}.
 */
@Name("tech.plumeintel.shuzhi.api.FirstFrameRelayed")
@Label("First frame relayed")
@Category("Shuzhi")
@Description("A connection's first live frame, from Redis pub/sub to the client's socket")
@StackTrace(false)
final class FirstFrameRelayed extends Event {

  @Label("Request id")
  String requestId;

  @Label("Frame")
  long seq;

  @Label("Kind")
  String kind;

  /** Written by the connection's one writer at a time. */
  transient boolean committed;
}
