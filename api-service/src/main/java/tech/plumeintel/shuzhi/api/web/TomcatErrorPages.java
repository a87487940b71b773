package tech.plumeintel.shuzhi.api.web;

import java.util.Arrays;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Installs {@link JsonErrorReportValve} as the host's error page renderer. The host would make its
 * own from the class name, without the writer; finding one of that class in its pipeline, it uses
 * that one.
 */
@Component
class TomcatErrorPages implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  private final ErrorResponses errors;

  TomcatErrorPages(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.addContextCustomizers(
        context -> {
          if (context.getParent() instanceof StandardHost host) {
            host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
            if (Arrays.stream(host.getPipeline().getValves())
                .noneMatch(JsonErrorReportValve.class::isInstance)) {
              host.getPipeline().addValve(new JsonErrorReportValve(errors));
            }
          }
        });
  }
}
