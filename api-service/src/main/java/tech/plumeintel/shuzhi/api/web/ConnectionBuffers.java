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

  /** Socket read buffer; a read takes at most this much from the socket at once. */
  static final int SOCKET_READ_BUFFER = 1024;

  /**
   * Socket write buffer, larger than the read buffer: Tomcat writes to the socket at most this much
   * at a time, and a book lookup answers a whole book as JSON, summary and all. At 1 KB a lookup
   * took 3.8 write calls against the trivial endpoint's 1.2 (perf stat of the API during the
   * bench's capacity steps), 1.6 at 4 KB; lookups at capacity went from 44 % to 64–76 % of the
   * trivial endpoint's throughput, and the open-streams phase measured 7.5 KB of heap per stream,
   * as at 1 KB (bench, work tree).
   */
  static final int SOCKET_WRITE_BUFFER = 4096;

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
