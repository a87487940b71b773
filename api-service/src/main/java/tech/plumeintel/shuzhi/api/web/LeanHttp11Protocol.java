package tech.plumeintel.shuzhi.api.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.CharBuffer;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.CoyoteAdapter;
import org.apache.catalina.connector.InputBuffer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.Adapter;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.AbstractEndpoint.Handler.SocketState;
import org.apache.tomcat.util.net.ApplicationBufferHandler;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tomcat's HTTP/1.1 connector, with the two per-connection buffers that no connector setting sizes.
 * An open chat stream is an async request that holds its connection's buffers for up to ten
 * minutes, and one instance holds 10,000 of them. The other buffers are sized through Tomcat's
 * supported settings in {@link ConnectionBuffers}; these two are not settable:
 *
 * <ul>
 *   <li>the servlet response buffer (8 KB and an 8 K-char writer buffer by default), sized by the
 *       public {@link #getDesiredBufferSize()} that Tomcat asks its protocol for: 23 KB less per
 *       stream (measured: Tomcat's {@code Response} retains 25.3 KB by default, 2.3 KB at 512; 256
 *       takes another 0.75 KB off);
 *   <li>the request reader's 8 K-char buffer, which Tomcat's {@code Request} allocates in its
 *       constructor: the adapter gives each connection's request a small one before first use,
 *       through a {@link VarHandle} on Tomcat's {@code InputBuffer}: 15.9 KB less per stream
 *       (measured: a {@code Request} retains 20.9 KB, 5.1 KB with the small reader buffer).
 * </ul>
 *
 * <p>The adapter also gives Tomcat no JMX domain, so that it does not name every processor for a
 * registry that is off. And a connection kept alive between two requests lets go of the processor
 * that served the last one ({@link IdleConnectionsKeepNoProcessor}).
 *
 * <p>What we send and receive is small: a request is a few hundred bytes of headers and a JSON body
 * of a few KB; a stream frame is a few hundred bytes. Large answers (a cover, the OpenAPI document)
 * still go out whole, in more write calls. A Tomcat upgrade that moves the reader buffer is caught
 * by {@code LeanHttp11ProtocolTest}, and then only costs memory (a warning, the default buffer).
 *
 * <p>Named by class in {@link ConnectionBuffers}; Tomcat instantiates it, hence public.
 */
public class LeanHttp11Protocol extends Http11NioProtocol {

  /**
   * The servlet response buffer (and as many chars for its writer): what a response can hold before
   * it is committed. Answers larger than this go out chunked instead of with a Content-Length.
   */
  static final int RESPONSE_BUFFER = 256;

  /** Chars for {@code request.getReader()}, which nothing of ours uses; it grows when marked. */
  static final int REQUEST_READER_CHARS = 64;

  private static final Logger log = LoggerFactory.getLogger(LeanHttp11Protocol.class);
  private static final @Nullable VarHandle READER_CHARS = readerChars();

  private @Nullable Connector connector;

  @Override
  public int getDesiredBufferSize() {
    return RESPONSE_BUFFER;
  }

  public LeanHttp11Protocol() {
    getEndpoint().setHandler(new IdleConnectionsKeepNoProcessor(getEndpoint().getHandler()));
  }

  /**
   * Tomcat's connection handler, except that a connection between two requests keeps no reference
   * to the processor that served the last one. Each request's processor registers its header buffer
   * with the connection's channel (for TLS, which may have to grow it) and nothing takes it back:
   * once the processor is released, to Tomcat's cache of 200 or dropped beyond it, an idle
   * kept-alive connection still holds it, about 25 KB with its 6.5 KB header buffer and header
   * objects, until its next request. Clients keep connections after a chat (WeChat's runtime, the
   * JDK's HTTP client): 400 streams at once, then their connections idle, held 401 processors with
   * 334 idle connections, 201 once the client closed them (Tomcat caches 200; JFR's old-object
   * sample showed the path: {@code NioChannel.appReadBufHandler} → {@code Http11InputBuffer}).
   * Tomcat runs this under the socket's lock, so a next request on the same connection, which
   * registers its own processor's buffer first, cannot overlap.
   */
  private record IdleConnectionsKeepNoProcessor(AbstractEndpoint.Handler<NioChannel> delegate)
      implements AbstractEndpoint.Handler<NioChannel> {

    @Override
    public SocketState process(SocketWrapperBase<NioChannel> socket, SocketEvent event) {
      var state = delegate.process(socket, event);
      if (socket.getCurrentProcessor() == null) {
        socket.setAppReadBufHandler(ApplicationBufferHandler.EMPTY);
      }
      return state;
    }

    @Override
    public Object getGlobal() {
      return delegate.getGlobal();
    }

    @Override
    public void release(SocketWrapperBase<NioChannel> socket) {
      delegate.release(socket);
    }

    @Override
    public void pause() {
      delegate.pause();
    }

    @Override
    public void recycle() {
      delegate.recycle();
    }
  }

  /** The connector whose requests this protocol creates; set before the connector starts. */
  void servesFor(Connector connector) {
    this.connector = connector;
  }

  @Override
  public void setAdapter(Adapter adapter) {
    super.setAdapter(
        connector == null || READER_CHARS == null ? adapter : new LeanRequests(adapter, connector));
  }

  /**
   * Tomcat's {@code Request} allocates its reader's 8 K-char buffer in its constructor, and no
   * setting changes that size: the adapter creates each connection's request as Tomcat's own
   * adapter would, then gives its reader a small buffer before the request is first used.
   */
  private record LeanRequests(Adapter delegate, Connector connector) implements Adapter {

    @Override
    public void service(org.apache.coyote.Request req, org.apache.coyote.Response res)
        throws Exception {
      ensureRequest(req, res);
      delegate.service(req, res);
    }

    @Override
    public boolean prepare(org.apache.coyote.Request req, org.apache.coyote.Response res)
        throws Exception {
      ensureRequest(req, res);
      return delegate.prepare(req, res);
    }

    @Override
    public boolean asyncDispatch(
        org.apache.coyote.Request req, org.apache.coyote.Response res, SocketEvent status)
        throws Exception {
      return delegate.asyncDispatch(req, res, status);
    }

    @Override
    public void log(org.apache.coyote.Request req, org.apache.coyote.Response res, long time) {
      ensureRequest(req, res);
      delegate.log(req, res, time);
    }

    @Override
    public void checkRecycled(org.apache.coyote.Request req, org.apache.coyote.Response res) {
      delegate.checkRecycled(req, res);
    }

    /**
     * None: Tomcat names each new processor (one per open stream) for JMX from this domain, an
     * {@code ObjectName} of about 0.3 KB kept as long as the processor, while Spring Boot leaves
     * Tomcat's JMX registry off and nothing is ever registered under it.
     */
    @Override
    public @Nullable String getDomain() {
      return null;
    }

    private void ensureRequest(org.apache.coyote.Request req, org.apache.coyote.Response res) {
      if (req.getNote(CoyoteAdapter.ADAPTER_NOTES) != null) {
        return;
      }
      var request = new LeanRequest(connector, req);
      Response response = connector.createResponse(res);
      request.setResponse(response);
      response.setRequest(request);
      req.setNote(CoyoteAdapter.ADAPTER_NOTES, request);
      res.setNote(CoyoteAdapter.ADAPTER_NOTES, response);
      req.getParameters().setQueryStringCharset(connector.getURICharset());
    }
  }

  /** A request whose reader buffer starts small; it is never shrunk while in use. */
  static final class LeanRequest extends Request {

    LeanRequest(Connector connector, org.apache.coyote.Request coyoteRequest) {
      super(connector, coyoteRequest);
      if (READER_CHARS != null) {
        READER_CHARS.set(inputBuffer, CharBuffer.allocate(REQUEST_READER_CHARS).limit(0));
      }
    }

    int readerChars() {
      return READER_CHARS == null ? -1 : ((CharBuffer) READER_CHARS.get(inputBuffer)).capacity();
    }
  }

  private static @Nullable VarHandle readerChars() {
    try {
      return MethodHandles.privateLookupIn(InputBuffer.class, MethodHandles.lookup())
          .findVarHandle(InputBuffer.class, "cb", CharBuffer.class);
    } catch (ReflectiveOperationException | IllegalAccessError | SecurityException e) {
      // A Tomcat whose InputBuffer changed: its requests keep their 16 KB reader buffer.
      log.warn("Tomcat's request reader buffer cannot be made smaller: {}", e.toString());
      return null;
    }
  }
}
