import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import redis.embedded.RedisServer;

/**
 * A Mongo-wire store and a Redis, in memory, for the AOT cache's training run (see the
 * Dockerfile): the services create their indexes and load their Redis scripts while the context
 * refreshes, and a training run that failed there would record only part of the classes a real
 * start loads. Run as a single-file program: {@code java -cp 'lib/*' TrainingStores.java 27017
 * 6379}; it serves until killed.
 */
void main(String[] args) throws Exception {
  var mongo = new MongoServer(new MemoryBackend());
  mongo.bind("127.0.0.1", Integer.parseInt(args[0]));
  var redis =
      RedisServer.newRedisServer()
          .port(Integer.parseInt(args[1]))
          .bind("127.0.0.1")
          .setting("save \"\"")
          .setting("appendonly no")
          .build();
  redis.start();
  Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(redis)));
  IO.println("training stores: mongo 127.0.0.1:" + args[0] + ", redis 127.0.0.1:" + args[1]);
  Thread.currentThread().join();
}

void stop(RedisServer redis) {
  try {
    redis.stop();
  } catch (Exception e) {
    throw new IllegalStateException(e);
  }
}
