package tech.plumeintel.shuzhi.testsupport;

/** A running Kafka broker. */
sealed interface KafkaUnderTest extends AutoCloseable permits EmbeddedKraftKafka, ContainerKafka {

  String bootstrapServers();

  @Override
  void close();
}
