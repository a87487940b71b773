package tech.plumeintel.shuzhi.api.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Browsers may call the API from the configured origins only (the production site and WeChat's);
 * any other origin gets no CORS headers and the browser keeps the answer from its page. Entries are
 * origin patterns: {@code https://*.weixin.qq.com} allows WeChat's pages on any of its subdomains
 * (and only https ones).
 */
@Configuration(proxyBeanMethods = false)
class CorsConfiguration implements WebMvcConfigurer {

  private final LimitsProperties properties;

  CorsConfiguration(LimitsProperties properties) {
    this.properties = properties;
  }

  @Override
  public void addCorsMappings(CorsRegistry registry) {
    registry
        .addMapping("/api/**")
        .allowedOriginPatterns(properties.corsOrigins().toArray(String[]::new))
        .allowedMethods("GET", "POST", "PUT", "DELETE")
        .allowedHeaders("Authorization", "Content-Type", "Accept", "Last-Event-ID")
        .exposedHeaders("X-Request-Id", "Retry-After", "Location")
        .maxAge(600);
  }
}
