package tech.plumeintel.shuzhi.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tech.plumeintel.shuzhi.platform.IdGenerator;
import tech.plumeintel.shuzhi.platform.RequestIds;

/**
 * Gives every request an id for the logs (the caller's {@code X-Request-Id} when it is a sane one),
 * which Kafka headers then carry into the workers' logs. A chat stream's id replaces it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

  static final String HEADER = "X-Request-Id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9_.-]{8,64}");

  private final IdGenerator ids;

  RequestIdFilter(IdGenerator ids) {
    this.ids = ids;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var given = request.getHeader(HEADER);
    var id = given != null && SANE.matcher(given).matches() ? given : ids.next();
    MDC.put(RequestIds.MDC_KEY, id);
    response.setHeader(HEADER, id);
    try {
      chain.doFilter(request, response);
    } finally {
      MDC.remove(RequestIds.MDC_KEY);
    }
  }
}
