package tech.plumeintel.shuzhi.chat.llm;

import org.jspecify.annotations.Nullable;

/**
 * Turns the lines of a {@code text/event-stream} into event data, as the SSE specification says:
 * {@code data:} lines accumulate until a blank line dispatches them, comment lines ({@code :
 * keep-alive}, which DeepSeek sends while a request waits in its queue) and other fields are
 * ignored. One decoder per stream; not thread-safe.
 */
final class SseDecoder {

  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  /** Feeds one line without its terminator; returns an event's data when the line completes one. */
  @Nullable String feed(String line) {
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.startsWith(":")) {
      return null;
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    if (!field.equals("data")) {
      return null;
    }
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (hasData) {
      data.append('\n');
    }
    data.append(value);
    hasData = true;
    return null;
  }

  /** The data of an event the stream ended without dispatching, if any. */
  @Nullable String finish() {
    return dispatch();
  }

  private @Nullable String dispatch() {
    if (!hasData) {
      return null;
    }
    String event = data.toString();
    data.setLength(0);
    hasData = false;
    return event;
  }
}
