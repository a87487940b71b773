package tech.plumeintel.shuzhi.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads HTTP/1.1 responses off one keep-alive connection, one after the other: the status line, the
 * headers it needs (Content-Length, Transfer-Encoding, Connection) and the whole body, through one
 * reused buffer. The body must be read to its end, or the next response would start mid-body.
 */
final class ResponseReader {

  private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSFER_ENCODING =
      "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTION = "connection".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final byte[] buffer;
  private int position;
  private int limit;
  private int lineStart;
  private int lineEnd;
  private boolean close;
  private boolean received;

  ResponseReader(InputStream in, int bufferSize) {
    this.in = in;
    this.buffer = new byte[bufferSize];
  }

  /** Reads one whole response; returns its status. */
  int read() throws IOException {
    return read(null);
  }

  /** Reads one whole response, copying its decoded body to {@code body} when given. */
  int read(@Nullable OutputStream body) throws IOException {
    received = position < limit;
    int status;
    long contentLength;
    boolean chunked;
    do { // a 1xx is followed by the real response
      status = statusLine();
      contentLength = -1;
      chunked = false;
      close = false;
      for (line(); lineEnd > lineStart; line()) {
        if (nameIs(CONTENT_LENGTH)) {
          contentLength = Long.parseLong(value().trim());
        } else if (nameIs(TRANSFER_ENCODING)) {
          chunked = value().toLowerCase(Locale.ROOT).contains("chunked");
        } else if (nameIs(CONNECTION)) {
          close = value().trim().equalsIgnoreCase("close");
        }
      }
    } while (status >= 100 && status < 200);
    if (status == 204 || status == 304) {
      return status;
    }
    if (chunked) {
      chunks(body);
    } else if (contentLength >= 0) {
      skip(contentLength, body);
    } else { // no length: the body runs to the end of the connection
      close = true;
      consume(limit - position, body);
      while (fill() > 0) {
        consume(limit - position, body);
      }
    }
    return status;
  }

  /** Whether the server ends the connection after the response just read. */
  boolean closes() {
    return close;
  }

  /**
   * Whether any byte of the response being read has arrived (for a failed read: was it answered).
   */
  boolean received() {
    return received;
  }

  private int statusLine() throws IOException {
    line();
    int length = lineEnd - lineStart;
    // "HTTP/1.1 200 OK", or "HTTP/1.1 200 " as Tomcat writes it (no reason phrase)
    if (length < 12
        || buffer[lineStart] != 'H'
        || buffer[lineStart + 4] != '/'
        || buffer[lineStart + 8] != ' ') {
      throw new IOException(
          "not an HTTP status line: " + text(lineStart, Math.min(lineEnd, lineStart + 40)));
    }
    int status = 0;
    for (int i = lineStart + 9; i < lineStart + 12; i++) {
      int digit = buffer[i] - '0';
      if (digit < 0 || digit > 9) {
        throw new IOException("bad status: " + text(lineStart, lineEnd));
      }
      status = status * 10 + digit;
    }
    return status;
  }

  private void chunks(@Nullable OutputStream body) throws IOException {
    for (; ; ) {
      line();
      long size = 0;
      for (int i = lineStart; i < lineEnd && buffer[i] != ';'; i++) {
        int digit = Character.digit(buffer[i], 16);
        if (digit < 0) {
          if (buffer[i] == ' ' || buffer[i] == '\t') {
            continue;
          }
          throw new IOException("bad chunk size: " + text(lineStart, lineEnd));
        }
        size = size * 16 + digit;
      }
      if (size == 0) {
        for (line(); lineEnd > lineStart; line()) {
          // trailers: none expected, skipped
        }
        return;
      }
      skip(size, body);
      line();
      if (lineEnd != lineStart) {
        throw new IOException("chunk not followed by CRLF");
      }
    }
  }

  /** Finds the next line; {@code lineStart..lineEnd} is it without its CR LF. */
  private void line() throws IOException {
    int scanned = position;
    for (; ; ) {
      for (int i = scanned; i < limit; i++) {
        if (buffer[i] == '\n') {
          lineStart = position;
          lineEnd = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
          position = i + 1;
          return;
        }
      }
      scanned = limit - position;
      if (position > 0) { // make room: the line so far goes to the front
        System.arraycopy(buffer, position, buffer, 0, limit - position);
        limit -= position;
        position = 0;
      }
      if (limit == buffer.length) {
        throw new IOException("header line longer than " + buffer.length + " bytes");
      }
      if (fill() <= 0) {
        throw new EOFException("connection closed mid-response");
      }
    }
  }

  /** Reads more after {@code limit}; returns the count, or -1 at the end of the stream. */
  private int fill() throws IOException {
    if (position == limit) {
      position = 0;
      limit = 0;
    }
    int n = in.read(buffer, limit, buffer.length - limit);
    if (n > 0) {
      limit += n;
      received = true;
    }
    return n;
  }

  private void skip(long count, @Nullable OutputStream body) throws IOException {
    while (count > 0) {
      if (position == limit && fill() <= 0) {
        throw new EOFException("connection closed mid-body");
      }
      int n = (int) Math.min(count, limit - position);
      consume(n, body);
      count -= n;
    }
  }

  private void consume(int n, @Nullable OutputStream body) throws IOException {
    if (body != null) {
      body.write(buffer, position, n);
    }
    position += n;
  }

  private boolean nameIs(byte[] lowerCaseName) {
    int length = lowerCaseName.length;
    if (lineEnd - lineStart <= length || buffer[lineStart + length] != ':') {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if ((buffer[lineStart + i] | 0x20) != lowerCaseName[i]) {
        return false;
      }
    }
    return true;
  }

  private String value() {
    int start = lineStart;
    while (buffer[start] != ':') {
      start++;
    }
    return text(start + 1, lineEnd);
  }

  private String text(int from, int to) {
    return new String(buffer, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
