package tech.plumeintel.shuzhi.fetch.source;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** An HTTP answer, read whole. {@code uri} is where it came from after redirects. */
public record HttpAnswer(int status, URI uri, HttpHeaders headers, byte[] body) {

  public boolean isRedirect() {
    return status >= 300 && status < 400 && headers.firstValue("Location").isPresent();
  }

  /** Where a redirect points, resolved against the request; null if this is no redirect. */
  public @Nullable URI redirectTarget() {
    if (!isRedirect()) {
      return null;
    }
    try {
      return uri.resolve(headers.firstValue("Location").orElseThrow().strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  public String contentType() {
    return headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
  }

  /** The body as text, in the charset the answer names (UTF-8 when it names none). */
  public String text() {
    return new String(body, charset());
  }

  private Charset charset() {
    var type = contentType();
    int at = type.indexOf("charset=");
    if (at >= 0) {
      var name = type.substring(at + 8).split("[;\\s]")[0].replace("\"", "");
      try {
        return Charset.forName(name);
      } catch (IllegalArgumentException e) {
        return StandardCharsets.UTF_8;
      }
    }
    return StandardCharsets.UTF_8;
  }
}
