package tech.plumeintel.shuzhi.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic of the test broker from its beginning, as text, so tests can see exactly which
 * records a service published.
 */
public final class TopicReader implements AutoCloseable {

  private final KafkaConsumer<String, String> consumer;
  private final List<ConsumerRecord<String, String>> seen = new CopyOnWriteArrayList<>();

  public TopicReader(String topic) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "test-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName()));
    consumer.subscribe(List.of(topic));
  }

  /** Polls for a while and returns every record read so far that matches. */
  public List<ConsumerRecord<String, String>> records(
      Predicate<ConsumerRecord<String, String>> match, Duration pollFor) {
    var end = System.nanoTime() + pollFor.toNanos();
    while (System.nanoTime() < end) {
      consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    }
    return seen.stream().filter(match).toList();
  }

  /** Polls until at least {@code count} matching records arrived, or the time is up. */
  public List<ConsumerRecord<String, String>> awaitRecords(
      Predicate<ConsumerRecord<String, String>> match, int count, Duration timeout) {
    var end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end && seen.stream().filter(match).count() < count) {
      consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    }
    return seen.stream().filter(match).toList();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
