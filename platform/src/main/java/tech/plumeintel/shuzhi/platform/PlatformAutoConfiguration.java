package tech.plumeintel.shuzhi.platform;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.health.MongoHealthContributorAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.support.LoggingProducerListener;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/** What every Shuzhi service gets by depending on this module. */
@AutoConfiguration(
    after = KafkaAutoConfiguration.class,
    before = MongoHealthContributorAutoConfiguration.class)
@EnableConfigurationProperties({PlatformProperties.class, TryOutProperties.class})
public class PlatformAutoConfiguration {

  /**
   * The lifecycle phase of what keeps a connection on the {@link RedisClient}: just after Boot's
   * Redis connection factory (phase 0), so it connects once the client is up and closes before the
   * client goes; long before the web server and the Kafka listeners, so it outlives their shutdown.
   */
  public static final int AFTER_REDIS = 1;

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
   * The one Redis client of a service is Boot's, on {@code spring.data.redis.*} (its timeouts are
   * there). While it is disconnected it refuses commands at once, so a Redis that is down turns
   * into a quick 503 rather than requests waiting on queued commands. It speaks RESP2: under RESP3
   * Lettuce first copies every pub/sub message into a generic push message and only then decodes
   * it, a third of what the API's relay allocated per token (bench).
   */
  @Bean
  LettuceClientOptionsBuilderCustomizer redisFailsFastOverResp2() {
    return options ->
        options
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .protocolVersion(ProtocolVersion.RESP2);
  }

  /**
   * Boot's client itself, for what Spring Data Redis does not cover well: one shared pub/sub
   * connection, Bucket4j's buckets, the chat frames' pipelined writes. Boot's connection factory
   * creates it and shuts it down; connections opened on it get its options and command timeout. The
   * factory makes a new client whenever it starts again (a paused test context restarts it), so
   * this bean is a proxy to the client the factory runs on now, and whoever keeps a connection
   * opens it again when the factory has restarted (phase {@link #AFTER_REDIS}).
   */
  @Bean
  @Scope(
      scopeName = ConfigurableBeanFactory.SCOPE_PROTOTYPE,
      proxyMode = ScopedProxyMode.TARGET_CLASS)
  @ConditionalOnMissingBean
  RedisClient redisClient(LettuceConnectionFactory factory) {
    if (factory.getRequiredNativeClient() instanceof RedisClient client) {
      return client;
    }
    throw new IllegalStateException(
        "Shuzhi needs a standalone Redis (spring.data.redis.url), not a cluster or sentinels");
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

  /**
   * Named as Boot's own Mongo check, which therefore steps aside; only where the store is the
   * Mongo-wire server (the local run and tests set the property), which does not know {@code
   * hello}.
   */
  @Bean("mongoHealthContributor")
  @ConditionalOnBooleanProperty("shuzhi.platform.mongo-ping-health")
  MongoPingHealthIndicator mongoHealthContributor(
      MongoClient client, MongoConnectionDetails connection) {
    var database = connection.getConnectionString().getDatabase();
    return new MongoPingHealthIndicator(client, database == null ? "admin" : database);
  }

  /** Every service declares every topic, so whichever starts first finds them all in place. */
  @Bean
  KafkaAdmin.NewTopics shuzhiTopics(PlatformProperties properties) {
    var topics = new ArrayList<NewTopic>();
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
  static BeanPostProcessor recordsOutOfProducerLogs() {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof LoggingProducerListener<?, ?> logging) {
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
