package tech.plumeintel.shuzhi.testsupport;

import org.testcontainers.kafka.KafkaContainer;

/** Apache Kafka's native image in Docker. */
final class ContainerKafka implements KafkaUnderTest {

  static final String IMAGE = "apache/kafka-native:4.2.0";

  private final KafkaContainer container;

  ContainerKafka() {
    container =
        new KafkaContainer(IMAGE)
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    container.start();
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
