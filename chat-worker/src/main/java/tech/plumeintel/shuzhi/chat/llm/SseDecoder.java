package tech.plumeintel.shuzhi.chat.llm;

import org.jspecify.annotations.Nullable;

/**
 * Turns the lines of a {@code text/event-stream} into event data, as the SSE specification says:
 * {@code data:} lines accumulate until a blank line dispatches them, comment lines ({@code :
 * keep-alive}, which DeepSeek sends while a request waits in its queue) and other fields are
 * ignored. One decoder per stream; not thread-safe.
 */
final class SseDecoder {

  // An event is nearly always one data line: it is kept as is, and only a second line is joined.
  private @Nullable String data;
  private final StringBuilder lines = new StringBuilder();
  private boolean joined;

  /** Feeds one line without its terminator; returns an event's data when the line completes one. */
  @Nullable String feed(String line) {
    if (line.isEmpty()) {
      return dispatch();
    }
    String value;
    if (line.startsWith("data:")) {
      value = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
    } else if (line.startsWith(":")) {
      return null;
    } else {
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      if (!field.equals("data")) {
        return null;
      }
      value = "";
    }
    if (data == null) {
      data = value;
    } else {
      if (!joined) {
        lines.setLength(0);
        lines.append(data);
        joined = true;
      }
      lines.append('\n').append(value);
    }
    return null;
  }

  /** The data of an event the stream ended without dispatching, if any. */
  @Nullable String finish() {
    return dispatch();
  }

  private @Nullable String dispatch() {
    String event = joined ? lines.toString() : data;
    data = null;
    joined = false;
    return event;
  }
}
