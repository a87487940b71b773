package tech.plumeintel.shuzhi.api.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.api.web.ErrorResponses;

/** No anonymous access: every {@code /api/} request but login and refresh needs an access token. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class AccessTokenFilter extends OncePerRequestFilter {

  private static final Set<String> OPEN_PATHS =
      Set.of("/api/auth/login/wechat/", "/api/auth/token/refresh/");
  private static final String BEARER = "Bearer ";

  private final Tokens tokens;
  private final ErrorResponses errors;

  AccessTokenFilter(Tokens tokens, ErrorResponses errors) {
    this.tokens = tokens;
    this.errors = errors;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    // The path as Tomcat normalised and decoded it, without ";" parameters: the raw URI of
    // "/api;x/user/profile/" or "/x/../api/..." would not start with "/api/", yet reaches the API.
    var path =
        request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
    // CORS preflights carry no credentials by design; the CORS filter answers them.
    return !path.startsWith("/api/")
        || OPEN_PATHS.contains(path)
        || "OPTIONS".equals(request.getMethod());
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    var header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      errors.write(response, ApiException.unauthorized("请先登录"));
      return;
    }
    String userId;
    try {
      userId = tokens.userOfAccessToken(header.substring(BEARER.length()).trim());
    } catch (ApiException e) {
      errors.write(response, e);
      return;
    }
    request.setAttribute(Caller.REQUEST_ATTRIBUTE, new Caller(userId));
    chain.doFilter(request, response);
  }
}
