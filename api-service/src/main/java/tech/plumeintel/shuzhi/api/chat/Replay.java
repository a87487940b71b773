package tech.plumeintel.shuzhi.api.chat;

import java.util.List;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

/**
 * Where one client connection is in its stream (the last event the client has) and what the
 * stream's Redis log holds after it: everything on a resume, the gap when pub/sub lost frames (a
 * Redis reconnect), the rest before a worker is declared gone. Each event reaches the client
 * exactly once and in order because every frame, live or logged, passes {@link #isNew} first. Used
 * by the connection's one writer at a time.
 */
final class Replay {

  private final StreamRecords records;
  private final String requestId;
  private long position;

  Replay(StreamRecords records, String requestId, long afterSeq) {
    this.records = records;
    this.requestId = requestId;
    this.position = afterSeq;
  }

  /** Everything the log holds after the client's position. */
  List<StreamFrame> rest() {
    return records.logged(requestId, position, null);
  }

  /** The logged frames pub/sub skipped before {@code live}; none when there is no gap. */
  List<StreamFrame> gapBefore(StreamFrame live) {
    return live.seq() > position + 1
        ? records.logged(requestId, position, live.seq() - 1)
        : List.of();
  }

  /** Whether the frame is one the client has not had (heartbeats never are). */
  boolean isNew(StreamFrame frame) {
    return frame.kind() != StreamFrame.Kind.HEARTBEAT && frame.seq() > position;
  }

  /** Whether the frame is the very next event the client is to get: no gap, not had. */
  boolean isNext(StreamFrame frame) {
    return frame.kind() != StreamFrame.Kind.HEARTBEAT && frame.seq() == position + 1;
  }

  void sent(StreamFrame frame) {
    position = frame.seq();
  }

  /**
   * Whether the stream has ended and the client has its last event: nothing is left to get. Only
   * asked before a connection starts; an ended stream's log no longer changes.
   */
  boolean endedAtOrBeforePosition() {
    if (position == 0) {
      return false;
    }
    var last = records.lastLogged(requestId);
    return last.isPresent() && last.get().kind().endsStream() && last.get().seq() <= position;
  }

  /**
   * A job no worker took in time is cancelled, so that a worker taking it later drops it instead of
   * generating an answer nobody reads (the stream's records, like its log, are Redis's).
   */
  void cancelUnclaimedJob() {
    records.cancel(requestId);
  }
}
