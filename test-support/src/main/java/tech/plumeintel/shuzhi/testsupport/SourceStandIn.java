package tech.plumeintel.shuzhi.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An upstream site on a loopback port for tests: answers each path with scripted replies (the last
 * one repeats; unknown paths get 404) and records every request with the time it arrived.
 */
public final class SourceStandIn implements AutoCloseable {

  /** A request as it arrived. */
  public record Request(String path, String query, String userAgent, long arrivedNanos) {}

  /** One way to answer a request. */
  @FunctionalInterface
  public interface Reply {
    void send(HttpExchange exchange) throws IOException;
  }

  private final HttpServer server;
  private final Map<String, Deque<Reply>> routes = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private SourceStandIn() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public static SourceStandIn start() {
    return new SourceStandIn();
  }

  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /**
   * Answers requests for {@code path} with these replies in turn, repeating the last. A path with a
   * query ({@code /volumes?q=isbn:…}) matches only that query, and comes before the bare path.
   */
  public SourceStandIn on(String path, Reply... replies) {
    routes.put(path, new ArrayDeque<>(List.of(replies)));
    return this;
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Requests whose path or query contains {@code text}. */
  public List<Request> requestsMentioning(String text) {
    return requests.stream()
        .filter(r -> r.path().contains(text) || (r.query() != null && r.query().contains(text)))
        .toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      var uri = exchange.getRequestURI();
      requests.add(
          new Request(
              uri.getPath(),
              uri.getRawQuery(),
              exchange.getRequestHeaders().getFirst("User-Agent"),
              System.nanoTime()));
      var replies =
          uri.getRawQuery() == null ? null : routes.get(uri.getPath() + "?" + uri.getRawQuery());
      if (replies == null) {
        replies = routes.get(uri.getPath());
      }
      Reply reply;
      if (replies == null) {
        reply = status(404);
      } else {
        synchronized (replies) {
          reply = replies.size() > 1 ? replies.poll() : replies.peek();
        }
      }
      reply.send(exchange);
    }
  }

  public static Reply body(int status, String contentType, byte[] body) {
    return exchange -> {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
    };
  }

  public static Reply json(byte[] body) {
    return body(200, "application/json", body);
  }

  public static Reply html(String page) {
    return body(200, "text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8));
  }

  public static Reply status(int status) {
    return body(status, "text/plain", new byte[0]);
  }

  public static Reply redirect(String location) {
    return exchange -> {
      exchange.getResponseHeaders().set("Location", location);
      exchange.sendResponseHeaders(302, -1);
    };
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
