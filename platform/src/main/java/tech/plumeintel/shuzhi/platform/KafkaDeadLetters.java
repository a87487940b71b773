package tech.plumeintel.shuzhi.platform;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * One error handler for every listener: a record that keeps failing goes to {@code <topic>.dlt}
 * (Spring's default suffix is {@code -dlt}) after a few deliveries with growing pauses. Records
 * that could not even be deserialized are dead-lettered at once, as the bytes that arrived.
 */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
public class KafkaDeadLetters {

  /** The dead-letter topic of a topic. */
  public static String deadLetterTopic(String topic) {
    return topic + ".dlt";
  }

  @Bean
  @ConditionalOnMissingBean
  CommonErrorHandler kafkaErrorHandler(
      ProducerFactory<Object, Object> producerFactory,
      KafkaTemplate<Object, Object> jsonTemplate,
      PlatformProperties properties) {
    var bytesTemplate =
        new KafkaTemplate<>(
            producerFactory,
            Map.of(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    Map<Class<?>, KafkaOperations<?, ?>> templates = new LinkedHashMap<>();
    templates.put(byte[].class, bytesTemplate);
    templates.put(Object.class, jsonTemplate);
    var recoverer =
        new DeadLetterPublishingRecoverer(
            templates,
            (record, exception) -> new TopicPartition(deadLetterTopic(record.topic()), -1));
    var backOff = new ExponentialBackOff(properties.deadLetterBackoff().toMillis(), 2.0);
    backOff.setMaxAttempts(properties.deadLetterAttempts() - 1);
    return new DefaultErrorHandler(recoverer, backOff);
  }
}
