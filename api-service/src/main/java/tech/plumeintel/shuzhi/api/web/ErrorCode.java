package tech.plumeintel.shuzhi.api.web;

import org.springframework.http.HttpStatus;

/** The contract's error codes, each with the HTTP status it is answered with. */
public enum ErrorCode {
  INVALID_PARAMS(HttpStatus.BAD_REQUEST),
  /** WeChat's content security judged the text risky. */
  CONTENT_REJECTED(HttpStatus.BAD_REQUEST),
  UNAUTHORIZED(HttpStatus.UNAUTHORIZED),
  NOT_FOUND(HttpStatus.NOT_FOUND),
  RATE_LIMIT(HttpStatus.TOO_MANY_REQUESTS),
  SERVER_ERROR(HttpStatus.INTERNAL_SERVER_ERROR),
  MODEL_ERROR(HttpStatus.SERVICE_UNAVAILABLE),
  UPSTREAM_ERROR(HttpStatus.SERVICE_UNAVAILABLE);

  private final HttpStatus status;

  ErrorCode(HttpStatus status) {
    this.status = status;
  }

  public HttpStatus status() {
    return status;
  }

  /**
   * The code of an answer that has only a status: the container's refusals, Spring's own 4xx. Any
   * other 4xx is the client's mistake; any other status, ours.
   */
  public static ErrorCode forStatus(int status) {
    return switch (status) {
      case 401 -> UNAUTHORIZED;
      case 404 -> NOT_FOUND;
      case 429 -> RATE_LIMIT;
      case 503 -> UPSTREAM_ERROR;
      default -> status >= 400 && status < 500 ? INVALID_PARAMS : SERVER_ERROR;
    };
  }
}
