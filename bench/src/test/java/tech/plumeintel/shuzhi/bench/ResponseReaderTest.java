package tech.plumeintel.shuzhi.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The lookup client's response reader on responses as the API's Tomcat writes them, back to back on
 * one connection: each must be read to its last byte, or the next would be misread.
 */
class ResponseReaderTest {

  private static final String BOOK =
      "{\"isbn\":\"9787544270878\",\"title\":\"解忧杂货店\","
          + "\"author\":[\"东野圭吾\"],\"cover_url\":\"/media/covers/9787544270878.jpg\"}";

  /** A cached book: Spring writes the JSON chunked, split where Tomcat's buffer flushed. */
  private static final String CHUNKED_200 =
      "HTTP/1.1 200 \r\n"
          + "Vary: Origin\r\nVary: Access-Control-Request-Method\r\n"
          + "Vary: Access-Control-Request-Headers\r\n"
          + "Content-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n"
          + "Date: Sun, 29 Nov 2026 17:20:00 GMT\r\n\r\n"
          + chunked(BOOK, 40);

  private static final String RATE_LIMIT = "{\"code\":\"RATE_LIMIT\",\"message\":\"请求过于频繁，请稍后再试\"}";

  /** An error as the API's advice writes it: a fixed length, counted in bytes of UTF-8. */
  private static final String LIMITED_429 =
      "HTTP/1.1 429 \r\n"
          + "Retry-After: 12\r\n"
          + "Content-Type: application/json\r\n"
          + "Content-Length: "
          + RATE_LIMIT.getBytes(StandardCharsets.UTF_8).length
          + "\r\n"
          + "Date: Sun, 29 Nov 2026 17:20:00 GMT\r\n\r\n"
          + raw(RATE_LIMIT);

  private static final String UPSTREAM =
      "{\"code\":\"UPSTREAM_ERROR\",\"message\":\"retry later\"}";

  /**
   * Lower-case names, a reason phrase, a chunk extension, a trailer, and the end of the connection.
   */
  private static final String UNAVAILABLE_503 =
      "HTTP/1.1 503 Service Unavailable\r\n"
          + "content-type: application/json\r\n"
          + "transfer-encoding: chunked\r\n"
          + "connection: close\r\n\r\n"
          + Integer.toHexString(UPSTREAM.length())
          + ";ext=1\r\n"
          + UPSTREAM
          + "\r\n"
          + "0\r\nX-Trailer: ignored\r\n\r\n";

  @Test
  void readsEachResponseWholeSoTheNextOnTheConnectionStartsAtItsStatusLine() throws IOException {
    var reader = reader(CHUNKED_200 + LIMITED_429 + CHUNKED_200 + UNAVAILABLE_503, 1 << 14, false);

    var body = new ByteArrayOutputStream();
    assertThat(reader.read(body)).isEqualTo(200);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo(BOOK);
    assertThat(reader.closes()).isFalse();

    body.reset();
    assertThat(reader.read(body)).isEqualTo(429);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo(RATE_LIMIT);

    assertThat(reader.read()).isEqualTo(200);

    body.reset();
    assertThat(reader.read(body)).isEqualTo(503);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo(UPSTREAM);
    assertThat(reader.closes()).isTrue();
  }

  @Test
  void readsTheSameWhenTheBytesArriveOneAtATimeIntoASmallBuffer() throws IOException {
    var reader = reader(CHUNKED_200 + LIMITED_429 + CHUNKED_200, 64, true);

    var body = new ByteArrayOutputStream();
    assertThat(reader.read(body)).isEqualTo(200);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo(BOOK);
    assertThat(reader.read()).isEqualTo(429);
    body.reset();
    assertThat(reader.read(body)).isEqualTo(200);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo(BOOK);
  }

  @Test
  void aBodyWithoutLengthRunsToTheEndOfTheConnection() throws IOException {
    var reader = reader("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", 32, true);

    var body = new ByteArrayOutputStream();
    assertThat(reader.read(body)).isEqualTo(200);
    assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("all of it");
    assertThat(reader.closes()).isTrue();
  }

  @Test
  void aConnectionClosedMidBodyIsAnErrorNotAnAnswer() {
    var reader = reader(LIMITED_429.substring(0, LIMITED_429.length() - 10), 1 << 14, false);

    assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
    assertThat(reader.received()).isTrue();
  }

  @Test
  void aConnectionClosedBeforeAnyByteSaysNothingWasReceived() throws IOException {
    var reader = reader(CHUNKED_200, 1 << 14, false);
    reader.read();

    assertThatThrownBy(reader::read).isInstanceOf(EOFException.class);
    assertThat(reader.received()).isFalse();
  }

  @Test
  void somethingOtherThanHttpIsAnError() {
    assertThatThrownBy(() -> reader("SSH-2.0-OpenSSH_9.6\r\n\r\n", 1 << 14, false).read())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not an HTTP status line");
  }

  private static ResponseReader reader(String bytes, int bufferSize, boolean trickle) {
    InputStream in = new ByteArrayInputStream(bytes.getBytes(StandardCharsets.ISO_8859_1));
    if (trickle) {
      var all = in;
      in =
          new InputStream() {
            @Override
            public int read() throws IOException {
              return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              return len == 0 ? 0 : all.read(b, off, 1);
            }
          };
    }
    return new ResponseReader(in, bufferSize);
  }

  /** {@code text} as chunks of at most {@code size} bytes, as a chunked body carries it. */
  private static String chunked(String text, int size) {
    var bytes = raw(text);
    var out = new StringBuilder();
    for (int at = 0; at < bytes.length(); at += size) {
      int n = Math.min(size, bytes.length() - at);
      out.append(Integer.toHexString(n)).append("\r\n").append(bytes, at, at + n).append("\r\n");
    }
    return out.append("0\r\n\r\n").toString();
  }

  /** The UTF-8 bytes of {@code text}, one char a byte: the fixtures are bytes on the wire. */
  private static String raw(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }
}
