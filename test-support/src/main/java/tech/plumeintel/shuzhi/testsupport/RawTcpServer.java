package tech.plumeintel.shuzhi.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback port that counts every TCP connection made to it and hands each to a handler on a
 * thread of its own, closing it when the handler returns: for what an HTTP stand-in cannot do
 * (notice a TLS handshake to an {@code https://} URL, close a kept-alive connection unannounced).
 */
public final class RawTcpServer implements AutoCloseable {

  /** What is done with one connection before it is closed. */
  @FunctionalInterface
  public interface Handler {
    void handle(Socket connection) throws IOException;
  }

  private final ServerSocket server;
  private final AtomicInteger connections = new AtomicInteger();

  public RawTcpServer(Handler handler) {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofVirtual()
        .name("raw-tcp-accept")
        .start(
            () -> {
              while (!server.isClosed()) {
                Socket connection;
                try {
                  connection = server.accept();
                } catch (IOException e) {
                  return;
                }
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(connection, handler));
              }
            });
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  private static void serve(Socket connection, Handler handler) {
    try (connection) {
      handler.handle(connection);
    } catch (IOException e) {
      // The client went away: nothing more to do with it.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
