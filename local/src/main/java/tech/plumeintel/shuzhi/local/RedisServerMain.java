package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import redis.embedded.RedisServer;

/**
 * A real {@code redis-server} (the binary bundled by embedded-redis), kept by a small JVM that
 * stops it when the launcher goes away (the binary itself cannot watch its parent), and ends when
 * the server does, so that the launcher sees a Redis that died.
 */
public final class RedisServerMain {

  private RedisServerMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    var server =
        RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            // Chat logs carry their own TTL; nothing in Redis has to survive a restart.
            .setting("save \"\"")
            .setting("appendonly no")
            .onShutdownForceStop(true)
            .build();
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      try {
                        server.stop();
                      } catch (IOException e) {
                        System.err.println("Stopping redis-server failed: " + e);
                      }
                    }));
    server.start();
    ParentWatch.startFromEnvironment();
    System.out.println("Redis ready on 127.0.0.1:" + port);
    int failures = 0;
    while (failures < 3) {
      Thread.sleep(1_000);
      failures = answers(port) ? 0 : failures + 1;
    }
    System.err.println("redis-server stopped answering on port " + port);
    System.exit(1);
  }

  private static boolean answers(int port) {
    try (var socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
