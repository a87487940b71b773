package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that happen outside Spring MVC (the servlet container refusing a request, a filter
 * failing) end up here; they get the contract's shape too, instead of Boot's default page.
 */
@RestController
class FallbackErrorController implements ErrorController {

  private final ErrorResponses errors;

  FallbackErrorController(ErrorResponses errors) {
    this.errors = errors;
  }

  @RequestMapping("/error")
  @Nullable ResponseEntity<ErrorBody> error(
      HttpServletRequest request, HttpServletResponse response) {
    if (response.isCommitted()) {
      // A stream already under way (its client went away): there is no room left for an error.
      return null;
    }
    var attribute = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = attribute instanceof Integer code ? code : 500;
    if (status < 400 || HttpStatus.resolve(status) == null) {
      status = 500;
    }
    return errors.answer(status);
  }
}
