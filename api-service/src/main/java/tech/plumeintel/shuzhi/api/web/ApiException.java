package tech.plumeintel.shuzhi.api.web;

import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A failure the client is told about in the contract's {@code {"code","message"}} shape. The
 * message is shown to readers, so it never carries internals.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final @Nullable Duration retryAfter;
  private final Map<String, Object> details;

  public ApiException(ErrorCode code, String message) {
    this(code, message, null, null, Map.of());
  }

  public ApiException(ErrorCode code, String message, @Nullable Throwable cause) {
    this(code, message, null, cause, Map.of());
  }

  private ApiException(
      ErrorCode code,
      String message,
      @Nullable Duration retryAfter,
      @Nullable Throwable cause,
      Map<String, Object> details) {
    super(message, cause, false, false);
    this.code = code;
    this.retryAfter = retryAfter;
    this.details = details;
  }

  public static ApiException rateLimited(String message, Duration retryAfter) {
    return new ApiException(ErrorCode.RATE_LIMIT, message, retryAfter, null, Map.of());
  }

  /** A refusal whose body carries {@code details} beside {@code code} and {@code message}. */
  public static ApiException rateLimited(
      String message, Duration retryAfter, Map<String, Object> details) {
    return new ApiException(ErrorCode.RATE_LIMIT, message, retryAfter, null, details);
  }

  /** The chat-workers are not keeping up: {@code MODEL_ERROR}, to be sent again after a while. */
  public static ApiException busy(String message, Duration retryAfter) {
    return new ApiException(ErrorCode.MODEL_ERROR, message, retryAfter, null, Map.of());
  }

  public static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_PARAMS, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(ErrorCode.NOT_FOUND, message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(ErrorCode.UNAUTHORIZED, message);
  }

  public static ApiException upstream(String message, @Nullable Throwable cause) {
    return new ApiException(ErrorCode.UPSTREAM_ERROR, message, cause);
  }

  public ErrorCode code() {
    return code;
  }

  public @Nullable Duration retryAfter() {
    return retryAfter;
  }

  /** Members of the error body beyond {@code code} and {@code message}; usually none. */
  public Map<String, Object> details() {
    return details;
  }
}
