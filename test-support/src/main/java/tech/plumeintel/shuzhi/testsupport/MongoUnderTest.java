package tech.plumeintel.shuzhi.testsupport;

/** A running MongoDB, or a server that speaks its wire protocol. */
sealed interface MongoUnderTest extends AutoCloseable permits InProcessMongo, ContainerMongo {

  /** {@code mongodb://host:port}, without a database. */
  String connectionString();

  @Override
  void close();
}
