package tech.plumeintel.shuzhi.api.web;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.catalina.valves.RemoteIpValve;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The proxies whose {@code X-Forwarded-*} headers Tomcat believes: exactly those named in {@code
 * SHUZHI_TRUSTED_PROXIES} (addresses or CIDR ranges, comma-separated), none by default. Tomcat's
 * own default trusts every private range, and behind Docker's port publishing, Kubernetes SNAT or
 * in a shared VPC every client arrives from one, free to name its own address for the per-address
 * limits (and its own host for the links we answer).
 *
 * <p>Each bare address is made a one-address range here: Tomcat reads a value without "/" as a
 * regular expression, in which "10.0.3.7,10.0.3.8" would match nothing and "10.0.3.7" would match
 * more than one address. Runs after Boot's own Tomcat customizer, which makes the valve.
 */
@Component
class TrustedProxies implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

  static final String PROPERTY = "shuzhi.trusted-proxies";

  private final List<String> proxies;

  TrustedProxies(Environment environment) {
    this.proxies =
        Binder.get(environment).bind(PROPERTY, Bindable.listOf(String.class)).orElse(List.of());
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    var ranges = ranges(proxies);
    for (var valve : factory.getEngineValves()) {
      if (valve instanceof RemoteIpValve remoteIp) {
        remoteIp.setInternalProxies(ranges);
      }
    }
  }

  /** As Tomcat's comma-separated CIDR list; empty when no proxy is trusted. */
  static String ranges(List<String> proxies) {
    return proxies.stream()
        .map(String::strip)
        .filter(entry -> !entry.isEmpty())
        .map(entry -> entry.contains("/") ? entry : entry + (entry.contains(":") ? "/128" : "/32"))
        .collect(Collectors.joining(","));
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
