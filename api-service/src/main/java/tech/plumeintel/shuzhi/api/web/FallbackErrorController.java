package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that happen outside Spring MVC (the servlet container refusing a request, a filter
 * failing) end up here; they get the contract's shape too, instead of Boot's default page.
 */
@RestController
class FallbackErrorController implements ErrorController {

  @RequestMapping("/error")
  @Nullable ResponseEntity<ErrorBody> error(
      HttpServletRequest request, HttpServletResponse response) {
    if (response.isCommitted()) {
      // A stream already under way (its client went away): there is no room left for an error.
      return null;
    }
    var attribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = attribute instanceof Integer code ? code : 500;
    var resolved = HttpStatus.resolve(status);
    if (resolved == null || status < 400) {
      resolved = HttpStatus.INTERNAL_SERVER_ERROR;
    }
    var code =
        switch (resolved) {
          case UNAUTHORIZED -> ErrorCode.UNAUTHORIZED;
          case NOT_FOUND -> ErrorCode.NOT_FOUND;
          case TOO_MANY_REQUESTS -> ErrorCode.RATE_LIMIT;
          case SERVICE_UNAVAILABLE -> ErrorCode.UPSTREAM_ERROR;
          default ->
              resolved.is4xxClientError() ? ErrorCode.INVALID_PARAMS : ErrorCode.SERVER_ERROR;
        };
    var message = resolved.is4xxClientError() ? "请求不符合接口要求（" + status + "）" : "服务器出错了，请稍后再试";
    return ResponseEntity.status(resolved)
        .contentType(MediaType.APPLICATION_JSON)
        .body(ErrorBody.of(code, message));
  }
}
