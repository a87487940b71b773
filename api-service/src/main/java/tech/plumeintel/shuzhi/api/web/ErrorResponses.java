package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Writes an error answer from places Spring MVC's advice does not reach (filters). */
@Component
public class ErrorResponses {

  private final JsonMapper json;

  ErrorResponses(JsonMapper json) {
    this.json = json;
  }

  public void write(HttpServletResponse response, ApiException e) throws IOException {
    response.setStatus(e.code().status().value());
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    if (e.retryAfter() != null) {
      response.setHeader(
          HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    json.writeValue(response.getOutputStream(), ErrorBody.of(e.code(), e.getMessage()));
  }
}
