package tech.plumeintel.shuzhi.testsupport;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * mongo-java-server, a Mongo-wire server in this JVM. It has no TTL expiry and no transactions, so
 * the services decide freshness from timestamps and do not depend on either.
 */
final class InProcessMongo implements MongoUnderTest {

  private final MongoServer server;
  private final String connectionString;

  InProcessMongo() {
    server = new MongoServer(new MemoryBackend());
    connectionString = server.bindAndGetConnectionString();
  }

  @Override
  public String connectionString() {
    return connectionString;
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
