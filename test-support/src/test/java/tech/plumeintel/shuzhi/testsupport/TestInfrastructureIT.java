package tech.plumeintel.shuzhi.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class TestInfrastructureIT {

  private final TestInfrastructure infrastructure = TestInfrastructure.shared();

  @Test
  void aRecordProducedToKafkaIsConsumedBack() throws Exception {
    var topic = "it-" + UUID.randomUUID();
    var bootstrap =
        Map.<String, Object>of("bootstrap.servers", infrastructure.kafkaBootstrapServers());
    try (var admin = Admin.create(bootstrap)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (var producer =
        new KafkaProducer<>(bootstrap, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "9787536025080", "黄金时代")).get(30, TimeUnit.SECONDS);
    }
    var consumerConfig =
        Map.<String, Object>of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            infrastructure.kafkaBootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "it-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    try (var consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      var received = new ArrayList<String>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.isEmpty() && System.nanoTime() < until) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> received.add(r.key() + "=" + r.value()));
      }
      assertThat(received).containsExactly("9787536025080=黄金时代");
    }
  }

  @Test
  void aMessagePublishedOnRedisReachesASubscriber() throws Exception {
    var client = RedisClient.create(infrastructure.redisUrl());
    try (var subscriber = client.connectPubSub();
        var publisher = client.connect()) {
      var received = new LinkedBlockingQueue<String>();
      subscriber.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              received.add(channel + ":" + message);
            }
          });
      subscriber.sync().subscribe("it-channel");
      long listeners = publisher.sync().publish("it-channel", "书智");
      assertThat(listeners).isEqualTo(1);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("it-channel:书智");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void aDocumentWrittenToMongoIsReadBack() {
    try (var client = MongoClients.create(infrastructure.mongoUri("it"))) {
      var collection = client.getDatabase("it").getCollection("books-" + UUID.randomUUID());
      collection.insertOne(new Document("_id", "9787536025080").append("title", "黄金时代"));
      var found = collection.find(new Document("_id", "9787536025080")).first();
      assertThat(found).isNotNull();
      assertThat(found.getString("title")).isEqualTo("黄金时代");
    }
  }
}
