package tech.plumeintel.shuzhi.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A real HTTP server on a free loopback port standing in for an upstream (WeChat, Douban, an LLM).
 * Tests program answers per path and read back the requests it received.
 */
public final class HttpStandIn implements AutoCloseable {

  /** Answers one request; may block (a slow upstream) or write a stream. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** A request as received. */
  public record Received(
      String method,
      String path,
      String query,
      Map<String, List<String>> headers,
      String body,
      Instant at) {}

  private static final String BODY = HttpStandIn.class.getName() + ".body";

  private final HttpServer server;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  public HttpStandIn() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::dispatch);
    server.start();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers requests whose path equals {@code path} (query ignored). */
  public HttpStandIn on(String path, Handler handler) {
    handlers.put(path, handler);
    return this;
  }

  public HttpStandIn onJson(String path, int status, String json) {
    return on(path, exchange -> respond(exchange, status, "application/json", json));
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public List<Received> received(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  public void reset() {
    handlers.clear();
    received.clear();
  }

  /** The request body, which this server has read before the handler runs. */
  public static String body(HttpExchange exchange) {
    return (String) exchange.getAttribute(BODY);
  }

  public static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (var out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private void dispatch(HttpExchange exchange) throws IOException {
    try (exchange) {
      var uri = exchange.getRequestURI();
      var body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      exchange.setAttribute(BODY, body);
      received.add(
          new Received(
              exchange.getRequestMethod(),
              uri.getPath(),
              uri.getRawQuery() == null ? "" : uri.getRawQuery(),
              Map.copyOf(exchange.getRequestHeaders()),
              body,
              Instant.now()));
      var handler = handlers.get(uri.getPath());
      if (handler == null) {
        respond(exchange, 404, "text/plain", "no stand-in answer for " + uri.getPath());
        return;
      }
      handler.handle(exchange);
    } catch (IOException e) {
      // The client went away (a timeout under test); nothing to answer.
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
