package tech.plumeintel.shuzhi.api.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * A browser request from an origin {@link CorsConfiguration} does not allow (or a preflight asking
 * for a method or header it does not allow) is refused with 403 in the contract's shape; Spring's
 * own refusal is a bare {@code Invalid CORS request} in text.
 */
final class JsonCorsRejection extends DefaultCorsProcessor {

  private static final byte[] BODY =
      "{\"code\":\"INVALID_PARAMS\",\"message\":\"不允许从这个来源调用\"}".getBytes(StandardCharsets.UTF_8);

  @Override
  protected void rejectRequest(ServerHttpResponse response) throws IOException {
    response.setStatusCode(HttpStatus.FORBIDDEN);
    response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
    response.getBody().write(BODY);
    response.flush();
  }

  /** Hands the rejection to every handler mapping (controllers, the error page). */
  @Component
  static final class Installer implements BeanPostProcessor {

    private final JsonCorsRejection rejection = new JsonCorsRejection();

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
      if (bean instanceof AbstractHandlerMapping mapping) {
        mapping.setCorsProcessor(rejection);
      }
      return bean;
    }
  }
}
