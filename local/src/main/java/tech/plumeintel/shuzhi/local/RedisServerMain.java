package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import redis.embedded.RedisServer;

/**
 * A real {@code redis-server} (the binary bundled by embedded-redis), kept by a small JVM that stops
 * it when the launcher goes away: the binary itself cannot watch its parent.
 */
public final class RedisServerMain {

  private RedisServerMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    int port = Integer.parseInt(args[0]);
    var server = RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        // Chat logs carry their own TTL; nothing in Redis has to survive a restart.
        .setting("save \"\"")
        .setting("appendonly no")
        .onShutdownForceStop(true)
        .build();
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
      try {
        server.stop();
      } catch (IOException e) {
        System.err.println("Stopping redis-server failed: " + e);
      }
    }));
    server.start();
    ParentWatch.startFromEnvironment();
    System.out.println("Redis ready on 127.0.0.1:" + port);
    new CountDownLatch(1).await();
  }
}
