package tech.plumeintel.shuzhi.testsupport;

import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Kafka's own KRaft broker and controller, in this JVM (spring-kafka-test). */
final class EmbeddedKraftKafka implements KafkaUnderTest {

  private final EmbeddedKafkaKraftBroker broker;

  EmbeddedKraftKafka() {
    broker = new EmbeddedKafkaKraftBroker(1, 1);
    // Tests start and stop consumer groups constantly; waiting 3 s for more members wastes time.
    broker.brokerProperties(
        Map.of(
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false"));
    broker.afterPropertiesSet();
  }

  @Override
  public String bootstrapServers() {
    return broker.getBrokersAsString();
  }

  @Override
  public void close() {
    broker.destroy();
  }
}
