package tech.plumeintel.shuzhi.api.web;

import com.mongodb.MongoException;
import org.apache.kafka.common.KafkaException;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
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

  private final ErrorResponses errors;

  ApiErrorHandler(ErrorResponses errors) {
    this.errors = errors;
  }

  @ExceptionHandler(ApiException.class)
  ResponseEntity<ErrorBody> api(ApiException e) {
    if (e.getCause() != null) {
      log.warn("{}: {}", e.code(), e.getCause().toString());
    }
    return errors.answer(e);
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
    return invalid("请求体不是有效的 JSON，或字段类型不对");
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
    return invalid("请求参数不正确");
  }

  @ExceptionHandler({
    DataAccessException.class,
    MongoException.class,
    KafkaException.class,
    // Spring Kafka's own, named as Kafka's client names its exception.
    org.springframework.kafka.KafkaException.class
  })
  ResponseEntity<ErrorBody> storeUnavailable(Exception e) {
    log.warn("A store or broker failed: {}", e.toString());
    return errors.answer(new ApiException(ErrorCode.UPSTREAM_ERROR, "服务暂时不可用，请稍后再试"));
  }

  /** The client went away mid-answer; there is nobody left to answer. */
  @ExceptionHandler(AsyncRequestNotUsableException.class)
  void clientGone() {}

  @ExceptionHandler(Exception.class)
  ResponseEntity<ErrorBody> unexpected(Exception e) {
    if (e instanceof ErrorResponse response && !response.getStatusCode().is5xxServerError()) {
      // Spring's own 4xx (unknown path, wrong method, wrong media type…), in our shape.
      int status = response.getStatusCode().value();
      return status == 404 ? errors.answer(ApiException.notFound("没有这个资源")) : errors.answer(status);
    }
    log.error("Unexpected failure", e);
    return errors.serverError();
  }

  private ResponseEntity<ErrorBody> invalid(String message) {
    return errors.answer(ApiException.invalid(message));
  }
}
