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
}
