package tech.plumeintel.shuzhi.api.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: sends exactly the bytes it is given (an invalid request line, a
 * header the JDK client refuses, a lying Content-Length) and reads one answer. The request is
 * written by a thread of its own while the answer is read, so a server that answers early (413) and
 * closes is heard rather than lost in a reset.
 */
final class RawHttp {

  /** An answer; {@code status} is -1 when none came (closed, reset or timed out first). */
  record Answer(int status, Map<String, List<String>> headers, byte[] body, String failure) {

    String header(String name) {
      var values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.getFirst();
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private RawHttp() {}

  static Answer exchange(int port, byte[] request, Duration timeout) {
    var received = new ByteArrayOutputStream();
    String failure = null;
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout((int) timeout.toMillis());
      var writer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      var out = socket.getOutputStream();
                      for (int at = 0; at < request.length; at += 64 * 1024) {
                        out.write(request, at, Math.min(64 * 1024, request.length - at));
                      }
                      out.flush();
                    } catch (IOException e) {
                      // The server stopped reading (it answered early); its answer is still read
                      // below.
                    }
                  });
      failure =
          readAnswer(socket.getInputStream(), received, System.nanoTime() + timeout.toNanos());
      socket.close();
      writer.join(timeout.toMillis());
    } catch (IOException e) {
      failure = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }
    return parse(received.toByteArray(), failure);
  }

  /** Reads until the answer is complete or the connection ends; returns why it stopped early. */
  private static String readAnswer(InputStream in, ByteArrayOutputStream into, long deadline) {
    var buffer = new byte[16 * 1024];
    try {
      while (System.nanoTime() < deadline) {
        int n = in.read(buffer);
        if (n < 0) {
          return null;
        }
        into.write(buffer, 0, n);
        if (complete(into.toByteArray())) {
          return null;
        }
      }
      return "no complete answer in time";
    } catch (SocketTimeoutException e) {
      return "no complete answer in time";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** Drops interim answers ({@code 100 Continue}): the final one follows them. */
  private static byte[] finalAnswer(byte[] bytes) {
    var rest = bytes;
    int end;
    while ((end = headerEnd(rest)) >= 0
        && new String(rest, 0, Math.min(10, rest.length), StandardCharsets.ISO_8859_1)
            .matches("HTTP/1\\.[01] 1.*")) {
      rest = Arrays.copyOfRange(rest, end + 4, rest.length);
    }
    return rest;
  }

  private static boolean complete(byte[] received) {
    var bytes = finalAnswer(received);
    int end = headerEnd(bytes);
    if (end < 0) {
      return false;
    }
    var headers = headers(new String(bytes, 0, end, StandardCharsets.ISO_8859_1));
    var length = first(headers, "content-length");
    if (length != null) {
      return bytes.length - end - 4 >= Long.parseLong(length.trim());
    }
    var encoding = first(headers, "transfer-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      return dechunk(bytes, end + 4) != null;
    }
    return false;
  }

  private static Answer parse(byte[] received, String failure) {
    var bytes = finalAnswer(received);
    int end = headerEnd(bytes);
    if (end < 0) {
      return new Answer(-1, Map.of(), bytes, failure == null ? "no answer" : failure);
    }
    var head = new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    var statusLine = head.lines().findFirst().orElse("");
    int status;
    try {
      status = Integer.parseInt(statusLine.split(" ")[1]);
    } catch (RuntimeException e) {
      return new Answer(-1, Map.of(), bytes, "bad status line: " + statusLine);
    }
    var headers = headers(head);
    byte[] body = Arrays.copyOfRange(bytes, end + 4, bytes.length);
    var encoding = first(headers, "transfer-encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      var dechunked = dechunk(bytes, end + 4);
      body = dechunked != null ? dechunked : body;
    }
    return new Answer(status, headers, body, failure);
  }

  private static Map<String, List<String>> headers(String head) {
    var headers = new LinkedHashMap<String, List<String>>();
    var lines = head.split("\r\n");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(
                lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    var values = headers.get(name);
    return values == null ? null : values.getFirst();
  }

  private static int headerEnd(byte[] bytes) {
    for (int i = 0; i + 3 < bytes.length; i++) {
      if (bytes[i] == '\r'
          && bytes[i + 1] == '\n'
          && bytes[i + 2] == '\r'
          && bytes[i + 3] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** The body of a chunked answer, or null while it is incomplete. */
  private static byte[] dechunk(byte[] bytes, int start) {
    var body = new ByteArrayOutputStream();
    int at = start;
    while (true) {
      int lineEnd = indexOfCrlf(bytes, at);
      if (lineEnd < 0) {
        return null;
      }
      var sizeText = new String(bytes, at, lineEnd - at, StandardCharsets.ISO_8859_1);
      int size = Integer.parseInt(sizeText.split(";")[0].trim(), 16);
      at = lineEnd + 2;
      if (size == 0) {
        return body.toByteArray();
      }
      if (at + size + 2 > bytes.length) {
        return null;
      }
      body.write(bytes, at, size);
      at += size + 2;
    }
  }

  private static int indexOfCrlf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
