package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.servlet.handler.AbstractHandlerMapping;

/**
 * Spring's CORS handling of every API request, with two differences:
 *
 * <ul>
 *   <li>a browser request from an origin {@link tech.plumeintel.shuzhi.api.web.CorsConfiguration}
 *       does not allow (or a preflight asking for a method or header it does not allow) is refused
 *       with 403 in the contract's shape; Spring's own refusal is a bare {@code Invalid CORS
 *       request} in text;
 *   <li>the answer varies on the three CORS request headers in one {@code Vary} field, where Spring
 *       adds three. Tomcat keeps each response header field in objects of about 320 bytes for as
 *       long as the request lasts, and an open chat stream lasts minutes: two fields fewer are 0.6
 *       KB less per stream (class histograms of the bench's 10,000 open streams).
 * </ul>
 */
final class CorsAnswers extends DefaultCorsProcessor {

  static final String VARY =
      String.join(
          ", ",
          HttpHeaders.ORIGIN,
          HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD,
          HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS);

  private final ErrorResponses errors;

  CorsAnswers(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  public boolean processRequest(
      @Nullable CorsConfiguration config, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    if (!response.containsHeader(HttpHeaders.VARY)) {
      response.setHeader(HttpHeaders.VARY, VARY);
    }
    return super.processRequest(config, request, new VaryAsTokens(response));
  }

  @Override
  protected void rejectRequest(ServerHttpResponse response) throws IOException {
    // Spring MVC's handler mappings check CORS on the servlet response, wrapped.
    var servlet = ((ServletServerHttpResponse) response).getServletResponse();
    errors.write(
        servlet, errors.answer(HttpStatus.FORBIDDEN, ErrorCode.INVALID_PARAMS, "不允许从这个来源调用"));
  }

  /**
   * Shows Spring each name in the response's Vary fields as a value of its own: Spring adds a field
   * for each name it does not find among the values, and would not find them in one combined field.
   */
  private static final class VaryAsTokens extends HttpServletResponseWrapper {

    VaryAsTokens(HttpServletResponse response) {
      super(response);
    }

    @Override
    public Collection<String> getHeaders(String name) {
      var values = super.getHeaders(name);
      if (!HttpHeaders.VARY.equalsIgnoreCase(name)) {
        return values;
      }
      var names = new ArrayList<String>();
      values.forEach(value -> names.addAll(List.of(StringUtils.tokenizeToStringArray(value, ","))));
      return names;
    }
  }

  /** Hands these answers to every handler mapping (controllers, the error page). */
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
        mapping.setCorsProcessor(new CorsAnswers(errors.getObject()));
      }
      return bean;
    }
  }
}
