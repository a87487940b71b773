package tech.plumeintel.shuzhi.fetch;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.fetch.job.FetchJobProperties;
import tech.plumeintel.shuzhi.platform.KafkaDeadLetters;

/** The stores and topics the worker uses. */
@Configuration(proxyBeanMethods = false)
class FetchWorkerConfiguration {

  /** The database named in the connection string ({@code shuzhi} when it names none). */
  @Bean
  MongoDatabase database(MongoClient client, MongoConnectionDetails connection) {
    var name = connection.getConnectionString().getDatabase();
    return client.getDatabase(name == null ? "shuzhi" : name);
  }

  // Created if missing, so that the worker can start before the API has published anything.
  @Bean
  NewTopic bookFetchRequestedTopic(FetchJobProperties properties) {
    return TopicBuilder.name(BookFetchRequested.TOPIC).partitions(properties.partitions()).build();
  }

  @Bean
  NewTopic bookFetchRequestedDeadLetterTopic() {
    return TopicBuilder.name(KafkaDeadLetters.deadLetterTopic(BookFetchRequested.TOPIC))
        .partitions(1).build();
  }
}
