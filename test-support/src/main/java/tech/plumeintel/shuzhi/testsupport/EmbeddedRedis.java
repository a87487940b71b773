package tech.plumeintel.shuzhi.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import redis.embedded.RedisServer;

/** A real {@code redis-server} binary (bundled by embedded-redis), on a free loopback port. */
final class EmbeddedRedis implements RedisUnderTest {

  private final int port;
  private final RedisServer server;

  EmbeddedRedis() {
    port = FreePorts.pick();
    try {
      server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .onShutdownForceStop(true)
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare redis-server", e);
    }
    start();
  }

  @Override
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start redis-server on port " + port, e);
    }
  }

  @Override
  public void close() {
    if (server.isActive()) {
      stop();
    }
  }
}
