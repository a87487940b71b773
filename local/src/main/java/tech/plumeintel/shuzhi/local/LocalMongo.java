package tech.plumeintel.shuzhi.local;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import java.nio.file.Path;

/**
 * mongo-java-server in the launcher's JVM, storing into one H2 MVStore file so that books, users
 * and conversations survive a restart. It has no TTL expiry and no transactions (see INFRA notes);
 * the services do not depend on either.
 */
final class LocalMongo implements AutoCloseable {

  static final String DATABASE = "shuzhi";

  private final MongoServer server;
  private final int port;

  LocalMongo(Path dataDir, int port) {
    this.port = port;
    this.server = new MongoServer(new H2Backend(dataDir.resolve("mongo.mv").toString()));
    server.bind("127.0.0.1", port);
  }

  String uri() {
    return "mongodb://127.0.0.1:" + port + "/" + DATABASE;
  }

  /** Closes the connections, then the H2 store, which writes what it still holds. */
  @Override
  public void close() {
    server.shutdown();
  }
}
