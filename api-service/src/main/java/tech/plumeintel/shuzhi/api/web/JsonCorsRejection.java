package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * A browser request from an origin {@link CorsConfiguration} does not allow (or a preflight asking
 * for a method or header it does not allow) is refused with 403 in the contract's shape; Spring's
 * own refusal is a bare {@code Invalid CORS request} in text.
 */
final class JsonCorsRejection extends DefaultCorsProcessor {

  private final ErrorResponses errors;

  JsonCorsRejection(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  protected void rejectRequest(ServerHttpResponse response) throws IOException {
    // Spring MVC's handler mappings check CORS on the servlet response, wrapped.
    var servlet = ((ServletServerHttpResponse) response).getServletResponse();
    errors.write(
        servlet, errors.answer(HttpStatus.FORBIDDEN, ErrorCode.INVALID_PARAMS, "不允许从这个来源调用"));
  }

  /** Hands the rejection to every handler mapping (controllers, the error page). */
  @Component
  static final class Installer implements BeanPostProcessor {

    /** Looked up when the first mapping is made: a post-processor's own dependencies are early. */
    private final ObjectProvider<ErrorResponses> errors;

    Installer(ObjectProvider<ErrorResponses> errors) {
      this.errors = errors;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
      if (bean instanceof AbstractHandlerMapping mapping) {
        mapping.setCorsProcessor(new JsonCorsRejection(errors.getObject()));
      }
      return bean;
    }
  }
}
