package tech.plumeintel.shuzhi.chat.llm;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Turns the bytes of a {@code text/event-stream} into event data, as the SSE specification says:
 * lines end with LF, CRLF or CR; {@code data:} lines accumulate until a blank line dispatches them,
 * comment lines ({@code : keep-alive}, which DeepSeek sends while a request waits in its queue) and
 * other fields are ignored. Works on the raw bytes, as they arrive, in any split: lines are never
 * decoded into strings, and the data goes to the JSON parser as UTF-8 (line ends are ASCII, so a
 * split never falls inside a character that matters). One decoder per stream; not thread-safe.
 */
final class SseDecoder {

  /** Receives each event's data; the array is reused once the call returns. */
  interface Sink {
    void data(byte[] data, int length) throws ModelException;
  }

  private static final byte[] DATA = {'d', 'a', 't', 'a'};
  private static final byte[] NEWLINE = {'\n'};

  private byte[] line = new byte[256];
  private int lineLength;
  private boolean afterCr;
  private byte[] data = new byte[256];
  private int dataLength;
  private boolean hasData;

  /** Feeds bytes as they came; hands over the data of every event they complete. */
  void feed(ByteBuffer bytes, Sink sink) throws ModelException {
    while (bytes.hasRemaining()) {
      byte b = bytes.get();
      if (afterCr) {
        afterCr = false;
        if (b == '\n') {
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        afterCr = b == '\r';
        line(sink);
        lineLength = 0;
      } else {
        if (lineLength == line.length) {
          line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
      }
    }
  }

  /**
   * Hands over an event the stream ended without dispatching (its last line unterminated), if any.
   */
  void finish(Sink sink) throws ModelException {
    if (lineLength > 0) {
      line(sink);
      lineLength = 0;
    }
    dispatch(sink);
  }

  private void line(Sink sink) throws ModelException {
    if (lineLength == 0) {
      dispatch(sink);
      return;
    }
    if (line[0] == ':') {
      return;
    }
    int colon = 0;
    while (colon < lineLength && line[colon] != ':') {
      colon++;
    }
    if (!Arrays.equals(line, 0, colon, DATA, 0, DATA.length)) {
      return;
    }
    int start = Math.min(colon + 1, lineLength);
    if (start < lineLength && line[start] == ' ') {
      start++;
    }
    if (hasData) {
      append(NEWLINE, 0, 1);
    }
    append(line, start, lineLength - start);
    hasData = true;
  }

  private void append(byte[] bytes, int from, int length) {
    if (dataLength + length > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + length));
    }
    System.arraycopy(bytes, from, data, dataLength, length);
    dataLength += length;
  }

  private void dispatch(Sink sink) throws ModelException {
    if (!hasData) {
      return;
    }
    int length = dataLength;
    hasData = false;
    dataLength = 0;
    sink.data(data, length);
  }
}
