package tech.plumeintel.shuzhi.api.web;

import com.mongodb.MongoException;
import org.apache.kafka.common.KafkaException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.BindException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns every failure into the contract's error shape. Internals (stack traces, exception messages
 * of libraries) stay in the server's log; clients get a code and a readable message.
 */
@RestControllerAdvice
class ApiErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<?> api(ApiException e) {
    var response = ResponseEntity.status(e.code().status()).contentType(MediaType.APPLICATION_JSON);
    if (e.retryAfter() != null) {
      response.header(
          HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    if (e.getCause() != null) {
      log.warn("{}: {}", e.code(), e.getCause().toString());
    }
    if (!e.details().isEmpty()) {
      var body = new java.util.LinkedHashMap<String, @Nullable Object>();
      body.put("code", e.code().name());
      body.put("message", e.getMessage());
      body.putAll(e.details());
      return response.body(body);
    }
    return response.body(ErrorBody.of(e.code(), e.getMessage()));
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
    return invalid(HttpStatus.BAD_REQUEST, "请求体不是有效的 JSON，或字段类型不对");
  }

  /** Bad parameters, Tomcat's refusals of a query string among them (over 1000, or not UTF-8). */
  @ExceptionHandler({
    BindException.class,
    HandlerMethodValidationException.class,
    MethodArgumentTypeMismatchException.class,
    ServletRequestBindingException.class,
    InvalidParameterException.class
  })
  ResponseEntity<ErrorBody> badParameters(Exception e) {
    return invalid(HttpStatus.BAD_REQUEST, "请求参数不正确");
  }

  /** Spring's own 4xx (unknown path, wrong method, wrong media type…), in our shape. */
  private ResponseEntity<ErrorBody> framework(Exception e, ErrorResponse response) {
    HttpStatusCode status = response.getStatusCode();
    if (status.value() == 404) {
      return ResponseEntity.status(status)
          .contentType(MediaType.APPLICATION_JSON)
          .body(ErrorBody.of(ErrorCode.NOT_FOUND, "没有这个资源"));
    }
    return invalid(status, "请求不符合接口要求（" + status.value() + "）");
  }

  @ExceptionHandler({
    DataAccessException.class,
    MongoException.class,
    KafkaException.class,
    org.springframework.kafka.KafkaException.class
  })
  ResponseEntity<ErrorBody> storeUnavailable(Exception e) {
    log.warn("A store or broker failed: {}", e.toString());
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .contentType(MediaType.APPLICATION_JSON)
        .body(ErrorBody.of(ErrorCode.UPSTREAM_ERROR, "服务暂时不可用，请稍后再试"));
  }

  /** The client went away mid-answer; there is nobody left to answer. */
  @ExceptionHandler(AsyncRequestNotUsableException.class)
  void clientGone() {}

  @ExceptionHandler(Exception.class)
  ResponseEntity<ErrorBody> unexpected(Exception e) {
    if (e instanceof ErrorResponse response && !response.getStatusCode().is5xxServerError()) {
      return framework(e, response);
    }
    log.error("Unexpected failure", e);
    return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
        .contentType(MediaType.APPLICATION_JSON)
        .body(ErrorBody.of(ErrorCode.SERVER_ERROR, "服务器出错了，请稍后再试"));
  }

  private static ResponseEntity<ErrorBody> invalid(HttpStatusCode status, String message) {
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_JSON)
        .body(ErrorBody.of(ErrorCode.INVALID_PARAMS, message));
  }
}
