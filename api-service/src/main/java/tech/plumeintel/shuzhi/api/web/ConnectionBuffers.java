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

  /**
   * The socket read buffer: a read takes at most this much from the socket at once. Tomcat sizes
   * each request's header buffer as the header limit plus this, so a stream holds it twice: 512
   * bytes less here are 1 KB less per open stream. A request of a mini-program (about 700 bytes of
   * headers with its token, User-Agent and Referer) then takes two reads instead of one.
   */
  static final int SOCKET_READ_BUFFER = 512;

  /**
   * The socket write buffer: Tomcat writes to the socket each time it fills, so an answer goes out
   * in as many writes as it has of these, and an open stream holds one for its whole life. A book's
   * answer is about 2.3 KB with its headers (the bench's: 2,024 bytes of JSON), one write at this
   * size. Fresh-clone bench runs, medians of 3, when a book took three writes at 1 KB and one at 4
   * KB: cache-hit lookups at capacity 48 % of the trivial endpoint's throughput at 1 KB, 63 % at 4
   * KB. 4 KB cost 1.5 KB more per open stream than this.
   */
  static final int SOCKET_WRITE_BUFFER = 2560;

  /**
   * Trailer headers after a chunked request body, which no client of ours sends; Tomcat allocates
   * this much per connection up front (8 KB by default).
   */
  static final int MAX_TRAILER_SIZE = 256;

  /**
   * Closed connections whose channel objects Tomcat keeps for reuse. Its default sizes this cache
   * by the socket buffers alone (a 32nd of the heap over 2 KB: tens of thousands of channels), but
   * each cached channel kept about 19 KB with it; after the bench's 10,000 open streams closed, the
   * API kept 186 MB of them (live heap after a full GC, class histogram). Tomcat's former default.
   */
  static final int CACHED_CHANNELS = 500;

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
            protocol.setProperty("socket.bufferPool", String.valueOf(CACHED_CHANNELS));
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
