package tech.plumeintel.shuzhi.fetch.job;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.platform.KafkaDeadLetters;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** Records the worker cannot process end on {@code book.fetch.requested.dlt} instead of looping. */
class DeadLetterIT extends LookupScenario {

  @Test
  void aRecordThatIsNotAJobLandsOnTheDeadLetterTopic() {
    var poison = ("{not json at all " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    var servers = TestInfrastructure.shared().kafkaBootstrapServers();
    try (var producer =
        new KafkaProducer<String, byte[]>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(BookFetchRequested.TOPIC, "poison", poison));
    }

    awaitDeadLetter(value -> Arrays.equals(value, poison));
  }

  @Test
  void aJobThatKeepsFailingLandsOnTheDeadLetterTopic() throws Exception {
    var taskId = UUID.randomUUID().toString();

    kafka
        .send(
            BookFetchRequested.TOPIC,
            "0",
            new BookFetchRequested(
                taskId, "not an isbn", Instant.now(), Instant.now().plusSeconds(30)))
        .get(10, TimeUnit.SECONDS);

    awaitDeadLetter(value -> new String(value, StandardCharsets.UTF_8).contains(taskId));
  }

  private static void awaitDeadLetter(Predicate<byte[]> matching) {
    try (var consumer =
        new KafkaConsumer<String, byte[]>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "dlt-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(KafkaDeadLetters.deadLetterTopic(BookFetchRequested.TOPIC)));
      await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                  if (matching.test(record.value())) {
                    return true;
                  }
                }
                return false;
              });
    }
  }
}
