package tech.plumeintel.shuzhi.testsupport;

/** A running Redis server that an outage test may stop and start again at the same address. */
public sealed interface RedisUnderTest extends AutoCloseable permits EmbeddedRedis, ContainerRedis {

  /** {@code redis://host:port}. */
  String url();

  /** Makes the server unreachable: connections are refused or hang, as in a real outage. */
  void stop();

  /** Brings it back at the same address, empty. */
  void start();

  @Override
  void close();
}
