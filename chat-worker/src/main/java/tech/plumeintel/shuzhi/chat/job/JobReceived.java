package tech.plumeintel.shuzhi.chat.job;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A flight-recorder event per job the listener receives: how long the job took to get here, split
 * at the record's timestamp (when the API's producer sent it). Free unless a recording runs.
 */
@Name("tech.plumeintel.shuzhi.chat.JobReceived")
@Label("Chat job received")
@Category("Shuzhi")
@Description("The API's requestedAt to the record's send, and the send to this listener")
@StackTrace(false)
final class JobReceived extends Event {

  @Label("Request id")
  String requestId;

  @Label("Requested to sent")
  @Description("The API, from requestedAt until its producer stamped the record")
  @Timespan(Timespan.MILLISECONDS)
  long inApi;

  @Label("Sent to received")
  @Description("Producer, broker, this consumer's fetch and the listener container")
  @Timespan(Timespan.MILLISECONDS)
  long inKafka;

  @Label("Requested to received")
  @Description("Both of the above in microseconds: the record's stamp has whole milliseconds")
  @Timespan(Timespan.MICROSECONDS)
  long sinceRequested;
}
