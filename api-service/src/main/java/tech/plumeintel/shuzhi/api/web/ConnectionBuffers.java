package tech.plumeintel.shuzhi.api.web;

import org.apache.coyote.http11.Http11NioProtocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Small per-connection buffers: each open chat stream holds one connection's buffers for up to ten
 * minutes, so their size decides how many streams an instance can hold. Tomcat's defaults (8 KB
 * each) would cost about 100 KB per stream. Sized here through Tomcat's supported settings (the
 * header limits are in application.yml); the two buffers no setting reaches are {@link
 * LeanHttp11Protocol}'s.
 */
@Component
class ConnectionBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

  /** Socket read and write buffers; a read takes at most this much from the socket at once. */
  static final int SOCKET_READ_BUFFER = 1024;

  static final int SOCKET_WRITE_BUFFER = 1024;

  /**
   * Trailer headers after a chunked request body, which no client of ours sends; Tomcat allocates
   * this much per connection up front (8 KB by default).
   */
  static final int MAX_TRAILER_SIZE = 256;

  @Override
  public void customize(TomcatServletWebServerFactory factory) {
    factory.setProtocol(LeanHttp11Protocol.class.getName());
    factory.addProtocolHandlerCustomizers(
        handler -> {
          if (handler instanceof Http11NioProtocol protocol) {
            // Tomcat's documented connector attributes socket.appReadBufSize / appWriteBufSize.
            protocol.setProperty("socket.appReadBufSize", String.valueOf(SOCKET_READ_BUFFER));
            protocol.setProperty("socket.appWriteBufSize", String.valueOf(SOCKET_WRITE_BUFFER));
            protocol.setMaxTrailerSize(MAX_TRAILER_SIZE);
          }
        });
    factory.addConnectorCustomizers(
        connector -> {
          if (connector.getProtocolHandler() instanceof LeanHttp11Protocol protocol) {
            protocol.servesFor(connector);
          }
        });
  }
}
