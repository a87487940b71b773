package tech.plumeintel.shuzhi.testsupport;

import org.testcontainers.mongodb.MongoDBContainer;

/** The real MongoDB in Docker. */
final class ContainerMongo implements MongoUnderTest {

  static final String IMAGE = "mongo:8.0";

  private final MongoDBContainer container;

  ContainerMongo() {
    container = new MongoDBContainer(IMAGE);
    container.start();
  }

  @Override
  public String connectionString() {
    return container.getConnectionString();
  }

  @Override
  public void close() {
    container.stop();
  }
}
