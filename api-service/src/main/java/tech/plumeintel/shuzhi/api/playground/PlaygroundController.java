package tech.plumeintel.shuzhi.api.playground;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.web.ApiException;

/**
 * The browser playground at {@code /playground/}: one page on the mini-program SDK's own core
 * (copied into {@code playground/sdk/} at build time), for a developer after {@code ./local/run} or
 * an operator checking a deployment. Only when {@code shuzhi.playground.enabled} (on in the local
 * profile): otherwise this controller does not exist and the path is an ordinary 404.
 */
@RestController
@ConditionalOnBooleanProperty("shuzhi.playground.enabled")
class PlaygroundController {

  private static final MediaType JAVASCRIPT = MediaType.parseMediaType("text/javascript");

  /** What the page is made of; nothing else on the classpath is reachable through here. */
  private static final Map<String, MediaType> FILES =
      Map.of(
          "index.html", MediaType.TEXT_HTML,
          "playground.js", JAVASCRIPT,
          "playground.css", MediaType.parseMediaType("text/css"),
          "sdk/sse.js", JAVASCRIPT,
          "sdk/core.js", JAVASCRIPT,
          "sdk/fetch-transport.js", JAVASCRIPT);

  @GetMapping("/playground/")
  ResponseEntity<byte[]> page() throws IOException {
    return file("index.html");
  }

  @GetMapping({"/playground/{name}", "/playground/sdk/{name}"})
  ResponseEntity<byte[]> asset(@PathVariable String name, HttpServletRequest request)
      throws IOException {
    var path = request.getRequestURI().startsWith("/playground/sdk/") ? "sdk/" + name : name;
    return file(path);
  }

  private static ResponseEntity<byte[]> file(String path) throws IOException {
    var type = FILES.get(path);
    if (type == null) {
      throw ApiException.notFound("没有这个资源");
    }
    var resource = new ClassPathResource("playground/" + path);
    try (var in = resource.getInputStream()) {
      return ResponseEntity.ok()
          .contentType(new MediaType(type, StandardCharsets.UTF_8))
          .cacheControl(CacheControl.noCache())
          .header("X-Content-Type-Options", "nosniff")
          .body(in.readAllBytes());
    }
  }
}
