package tech.plumeintel.shuzhi.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;

/**
 * Douban, Open Library and Google Books as one local server that answers at once: Douban has every
 * ISBN (a real subject page, its cover served here too), the other two know none.
 */
final class BookSourcesStandIn implements AutoCloseable {

  private final HttpServer server;
  private final byte[] page;
  private final byte[] cover = tinyJpeg();

  BookSourcesStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    try (var in =
        BookSourcesStandIn.class.getResourceAsStream("/fixtures/douban/subject-1089243.html")) {
      page =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .replaceAll(
                  "https://img\\d\\.doubanio\\.com/view/subject/./public/",
                  baseUrl() + "/douban/cover/")
              .getBytes(StandardCharsets.UTF_8);
    }
    server.createContext(
        "/douban/isbn/", exchange -> reply(exchange, 200, "text/html; charset=utf-8", page));
    server.createContext("/douban/cover/", exchange -> reply(exchange, 200, "image/jpeg", cover));
    server.createContext(
        "/",
        exchange ->
            reply(
                exchange,
                404,
                "application/json",
                "{\"error\":\"not found\"}".getBytes(StandardCharsets.UTF_8)));
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  private static byte[] tinyJpeg() {
    var image = new BufferedImage(27, 40, BufferedImage.TYPE_INT_RGB);
    var out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "jpg", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
