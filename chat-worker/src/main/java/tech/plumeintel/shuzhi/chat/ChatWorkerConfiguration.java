package tech.plumeintel.shuzhi.chat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import tech.plumeintel.shuzhi.chat.stream.StreamProperties;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.platform.KafkaDeadLetters;

/** The worker's infrastructure: its database, its topics, how its listener container pauses. */
@Configuration(proxyBeanMethods = false)
class ChatWorkerConfiguration {

  @Bean
  MongoDatabase shuzhiDatabase(MongoClient client, MongoConnectionDetails connection) {
    var database = connection.getConnectionString().getDatabase();
    return client.getDatabase(database == null ? "shuzhi" : database);
  }

  @Bean
  Supplier<String> conversationIds() {
    return () -> UUID.randomUUID().toString();
  }

  /** Created when missing (the API may declare it too); replicas follow the broker's default. */
  @Bean
  NewTopic chatRequestedTopic(StreamProperties properties) {
    return TopicBuilder.name(ChatRequested.TOPIC).partitions(properties.jobPartitions()).build();
  }

  @Bean
  NewTopic chatRequestedDeadLetters() {
    return TopicBuilder.name(KafkaDeadLetters.deadLetterTopic(ChatRequested.TOPIC))
        .partitions(1).build();
  }

  /**
   * A pause takes effect after the current record, not after the whole batch: the rest of the batch
   * is fetched again after the resume instead of waiting for a slot on the consumer thread.
   */
  @Bean
  ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>
      pauseImmediately() {
    return container -> container.getContainerProperties().setPauseImmediate(true);
  }
}
