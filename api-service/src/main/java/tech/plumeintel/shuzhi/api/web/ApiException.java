package tech.plumeintel.shuzhi.api.web;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A failure the client is told about in the contract's {@code {"code","message"}} shape. The
 * message is shown to readers, so it never carries internals.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final @Nullable Duration retryAfter;

  public ApiException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public ApiException(ErrorCode code, String message, @Nullable Throwable cause) {
    this(code, message, null, cause);
  }

  private ApiException(
      ErrorCode code, String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
    super(message, cause, false, false);
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public static ApiException rateLimited(String message, Duration retryAfter) {
    return new ApiException(ErrorCode.RATE_LIMIT, message, retryAfter, null);
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
}
