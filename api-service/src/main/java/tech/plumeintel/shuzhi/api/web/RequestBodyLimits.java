package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * What a request body must be before a controller reads it. At most {@link #MAX_BODY_BYTES}, else
 * 413 before it is read: a declared length is judged at once (a client that lies about it is not
 * waited for) and a chunked body is read only up to the limit. Of a concrete media type, else 415
 * (Spring fails on {@code Content-Type: *}{@code /*} with an internal error). And JSON in valid
 * UTF-8, else 400: Jackson decodes overlong forms such as {@code C0 AF} as if they were {@code /}.
 *
 * <p>Runs after the access token check, so that only login and refresh read an anonymous body.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class RequestBodyLimits extends OncePerRequestFilter {

  /**
   * The largest legitimate body, a chat of 32,000 characters each escaped in six bytes, is 200 KB.
   */
  static final int MAX_BODY_BYTES = 256 * 1024;

  private final ErrorResponses errors;

  RequestBodyLimits(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    boolean chunked = declared < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    if (declared > MAX_BODY_BYTES) {
      refuse(response, HttpStatus.CONTENT_TOO_LARGE, "请求体太大（上限 " + MAX_BODY_BYTES / 1024 + " KB）");
      return;
    }
    if (declared <= 0 && !chunked) {
      chain.doFilter(request, response);
      return;
    }
    var type = mediaType(request.getContentType());
    if (request.getContentType() != null
        && (type == null || type.isWildcardType() || type.isWildcardSubtype())) {
      refuse(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "请求体须为 JSON（Content-Type 不正确）");
      return;
    }
    var body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      refuse(response, HttpStatus.CONTENT_TOO_LARGE, "请求体太大（上限 " + MAX_BODY_BYTES / 1024 + " KB）");
      return;
    }
    if (isUtf8Json(type) && !isUtf8(body)) {
      refuse(response, HttpStatus.BAD_REQUEST, "请求体不是有效的 UTF-8");
      return;
    }
    chain.doFilter(new ReadBody(request, body), response);
  }

  private static @Nullable MediaType mediaType(@Nullable String contentType) {
    if (contentType == null) {
      return null;
    }
    try {
      return MediaType.parseMediaType(contentType);
    } catch (InvalidMediaTypeException e) {
      return null;
    }
  }

  private static boolean isUtf8Json(@Nullable MediaType type) {
    if (type == null) {
      return true;
    }
    boolean json =
        MediaType.APPLICATION_JSON.isCompatibleWith(type) || type.getSubtype().endsWith("+json");
    try {
      return json
          && (type.getCharset() == null || StandardCharsets.UTF_8.equals(type.getCharset()));
    } catch (IllegalArgumentException e) {
      // An unknown charset: Spring refuses the media type later, with 415.
      return false;
    }
  }

  private static boolean isUtf8(byte[] body) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private void refuse(HttpServletResponse response, HttpStatus status, String message)
      throws IOException {
    // The body may be left unread; the connection cannot carry another request.
    response.setHeader(HttpHeaders.CONNECTION, "close");
    errors.write(response, errors.answer(status, ErrorCode.INVALID_PARAMS, message));
  }

  /**
   * The request with its body already read, within the limit. The body is let go once it has been
   * read to its end: a chat stream's request lives as long as the stream (minutes), and its body
   * can be 256 KB.
   */
  static final class ReadBody extends HttpServletRequestWrapper {

    private static final byte[] READ = new byte[0];

    private final int length;
    private final ServletInputStream in;

    ReadBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.length = body.length;
      this.in = new ReadOnce(body);
    }

    /** Not an anonymous class: that would keep the body in a field of its own, captured. */
    private static final class ReadOnce extends ServletInputStream {

      private byte[] left;
      private int position;

      ReadOnce(byte[] body) {
        this.left = body;
      }

      @Override
      public int read() {
        if (position >= left.length) {
          return -1;
        }
        int b = left[position++] & 0xff;
        letGoAtEnd();
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        int n = Math.min(len, left.length - position);
        if (n <= 0) {
          return -1;
        }
        System.arraycopy(left, position, b, off, n);
        position += n;
        letGoAtEnd();
        return n;
      }

      private void letGoAtEnd() {
        if (position >= left.length) {
          left = READ;
          position = 0;
        }
      }

      @Override
      public int available() {
        return left.length - position;
      }

      @Override
      public boolean isFinished() {
        return position >= left.length;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new IllegalStateException("the body has been read already");
      }
    }

    @Override
    public ServletInputStream getInputStream() {
      return in;
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    @Override
    public int getContentLength() {
      return length;
    }

    @Override
    public long getContentLengthLong() {
      return length;
    }
  }
}
