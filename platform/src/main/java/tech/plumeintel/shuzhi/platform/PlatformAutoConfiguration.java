package tech.plumeintel.shuzhi.platform;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.health.MongoHealthContributorAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.RecordInterceptor;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/** What every Shuzhi service gets by depending on this module. */
@AutoConfiguration(
    after = KafkaAutoConfiguration.class,
    before = MongoHealthContributorAutoConfiguration.class)
@EnableConfigurationProperties({PlatformProperties.class, TryOutProperties.class})
public class PlatformAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  RunMode runMode(TryOutProperties tryOut, org.springframework.core.env.Environment environment) {
    return new RunMode(tryOut, environment);
  }

  @Bean
  @ConditionalOnMissingBean
  IdGenerator idGenerator() {
    return new IdGenerator();
  }

  /** The database named in the connection string ({@code shuzhi} unless configured otherwise). */
  @Bean
  @ConditionalOnMissingBean
  MongoDatabase mongoDatabase(MongoClient client, MongoConnectionDetails connection) {
    var database = connection.getConnectionString().getDatabase();
    return client.getDatabase(database == null ? "shuzhi" : database);
  }

  /**
   * A Lettuce client of our own on {@code spring.data.redis.url}, for what Spring Data Redis does
   * not cover well: one shared pub/sub connection, Bucket4j's buckets.
   */
  @Bean(destroyMethod = "shutdown")
  @ConditionalOnMissingBean
  RedisClient shuzhiRedisClient(
      @Value("${spring.data.redis.url:redis://localhost:6379}") String url,
      PlatformProperties properties) {
    var uri = io.lettuce.core.RedisURI.create(url);
    // A Redis that is down must turn into a quick 503, not threads waiting Lettuce's default 60 s.
    uri.setTimeout(properties.storeTimeout());
    var client = RedisClient.create(uri);
    client.setOptions(
        io.lettuce.core.ClientOptions.builder()
            .disconnectedBehavior(
                io.lettuce.core.ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            // RESP2: under RESP3 Lettuce first copies every pub/sub message into a generic push
            // message
            // and only then decodes it, a third of what the API's relay allocated per token
            // (bench).
            .protocolVersion(io.lettuce.core.protocol.ProtocolVersion.RESP2)
            .build());
    return client;
  }

  @Bean
  MongoClientSettingsBuilderCustomizer mongoTimeouts(PlatformProperties properties) {
    return settings ->
        settings
            .applyToClusterSettings(
                cluster ->
                    cluster.serverSelectionTimeout(
                        properties.storeTimeout().toMillis(), TimeUnit.MILLISECONDS))
            .applyToSocketSettings(
                socket ->
                    socket
                        .connectTimeout(
                            (int) properties.storeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout(
                            (int) properties.storeReadTimeout().toMillis(), TimeUnit.MILLISECONDS));
  }

  /** Named as Boot's own Mongo check, which therefore steps aside. */
  @Bean("mongoHealthContributor")
  MongoPingHealthIndicator mongoHealthContributor(
      MongoClient client, MongoConnectionDetails connection) {
    var database = connection.getConnectionString().getDatabase();
    return new MongoPingHealthIndicator(client, database == null ? "admin" : database);
  }

  /** Every service declares every topic, so whichever starts first finds them all in place. */
  @Bean
  KafkaAdmin.NewTopics shuzhiTopics(PlatformProperties properties) {
    var topics = new java.util.ArrayList<NewTopic>();
    for (var topic : List.of(BookFetchRequested.TOPIC, ChatRequested.TOPIC)) {
      topics.add(
          TopicBuilder.name(topic)
              .partitions(properties.topicPartitions())
              .replicas(properties.topicReplicas())
              .build());
      topics.add(
          TopicBuilder.name(KafkaDeadLetters.deadLetterTopic(topic))
              .partitions(1)
              .replicas(properties.topicReplicas())
              .build());
    }
    return new KafkaAdmin.NewTopics(topics.toArray(NewTopic[]::new));
  }

  /**
   * Failed sends are logged without the record: a chat job carries the reader's questions, which
   * never go to a log. Boot's listener would log the first 100 characters of the value.
   */
  @Bean
  static org.springframework.beans.factory.config.BeanPostProcessor recordsOutOfProducerLogs() {
    return new org.springframework.beans.factory.config.BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean
            instanceof org.springframework.kafka.support.LoggingProducerListener<?, ?> logging) {
          logging.setIncludeContents(false);
        }
        return bean;
      }
    };
  }

  @Bean
  DefaultKafkaProducerFactoryCustomizer requestIdsOnProducedRecords() {
    return factory ->
        factory.updateConfigs(
            Map.of(
                ProducerConfig.INTERCEPTOR_CLASSES_CONFIG,
                RequestIds.OnProducedRecords.class.getName()));
  }

  @Bean
  @ConditionalOnMissingBean(RecordInterceptor.class)
  RecordInterceptor<Object, Object> requestIdsOnConsumedRecords() {
    return new RequestIds.OnConsumedRecords();
  }

  @Bean
  KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, PlatformProperties properties) {
    return new KafkaHealthIndicator(admin, properties.kafkaHealthTimeout());
  }
}
