package tech.plumeintel.shuzhi.api.web;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Serves HTTP with {@link LeanHttp11Protocol}: each open chat stream holds one connection's
 * buffers, so their size decides how many streams an instance can hold (the header limits are in
 * application.yml).
 */
@Component
class ConnectionBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.setProtocol(LeanHttp11Protocol.class.getName());
    factory.addConnectorCustomizers(
        connector -> {
          if (connector.getProtocolHandler() instanceof LeanHttp11Protocol protocol) {
            protocol.servesFor(connector);
          }
        });
  }
}
