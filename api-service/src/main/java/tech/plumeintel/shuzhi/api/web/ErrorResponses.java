package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one writer of the contract's error answer: its status, its headers ({@code Retry-After} among
 * them) and the {@code {"code","message"}} body. {@link ApiErrorHandler} hands its answers to
 * Spring MVC; what runs outside a controller (filters, the CORS check, {@link
 * FallbackErrorController}, Tomcat's own refusals in {@link JsonErrorReportValve}) writes them with
 * {@link #write(HttpServletResponse, ResponseEntity)}.
 */
@Component
public class ErrorResponses {

  private static final String SERVER_ERROR_MESSAGE = "服务器出错了，请稍后再试";

  private final JsonMapper json;

  ErrorResponses(JsonMapper json) {
    this.json = json;
  }

  /** The answer to a failure: its code's status, and when to come back if it says so. */
  ResponseEntity<ErrorBody> answer(ApiException e) {
    return answer(e.code().status(), e.code(), e.getMessage(), e.retryAfter());
  }

  /** An answer whose status says more than its code's own (413 and 415 are INVALID_PARAMS too). */
  ResponseEntity<ErrorBody> answer(HttpStatusCode status, ErrorCode code, String message) {
    return answer(status, code, message, null);
  }

  /** The answer to a bare status, where nobody chose a code or a message. */
  ResponseEntity<ErrorBody> answer(int status) {
    var message =
        status >= 400 && status < 500 ? "请求不符合接口要求（" + status + "）" : SERVER_ERROR_MESSAGE;
    return answer(HttpStatusCode.valueOf(status), ErrorCode.forStatus(status), message, null);
  }

  /** The answer to a failure nobody foresaw: never its internals. */
  ResponseEntity<ErrorBody> serverError() {
    return answer(
        ErrorCode.SERVER_ERROR.status(), ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE, null);
  }

  private static ResponseEntity<ErrorBody> answer(
      HttpStatusCode status, ErrorCode code, String message, @Nullable Duration retryAfter) {
    var answer = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
    if (retryAfter != null) {
      answer.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    }
    return answer.body(ErrorBody.of(code, message));
  }

  public void write(HttpServletResponse response, ApiException e) throws IOException {
    write(response, answer(e));
  }

  /** Writes an answer where no controller returns it. */
  void write(HttpServletResponse response, ResponseEntity<ErrorBody> answer) throws IOException {
    response.setStatus(answer.getStatusCode().value());
    answer
        .getHeaders()
        .forEach(
            (name, values) -> {
              if (HttpHeaders.CONTENT_TYPE.equalsIgnoreCase(name)) {
                response.setContentType(values.getFirst());
              } else {
                values.forEach(value -> response.addHeader(name, value));
              }
            });
    json.writeValue(response.getOutputStream(), answer.getBody());
  }
}
