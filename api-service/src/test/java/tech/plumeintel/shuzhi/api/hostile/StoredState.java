package tech.plumeintel.shuzhi.api.hostile;

import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.bson.Document;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/**
 * Everything the API can write, as text: every document of every collection of its database, every
 * key of its Redis database with its value, and how many records each job topic holds. Cheap
 * because the corpus runs on a database and a Redis database of its own, holding only what the test
 * seeded.
 */
record StoredState(
    Map<String, List<String>> mongo, Map<String, String> redis, Map<String, Long> kafka) {

  private static final List<String> TOPICS = List.of(BookFetchRequested.TOPIC, ChatRequested.TOPIC);

  static StoredState of(MongoDatabase database, StringRedisTemplate redis) {
    var documents = new TreeMap<String, List<String>>();
    for (var collection : database.listCollectionNames()) {
      var texts = new ArrayList<String>();
      database.getCollection(collection).find().forEach((Document d) -> texts.add(d.toJson()));
      texts.sort(null);
      documents.put(collection, texts);
    }
    var keys = new TreeMap<String, String>();
    for (var key : redis.keys("*")) {
      // Rate-limit buckets count every request, hostile or not: they are not stored state.
      if (!key.startsWith("limit:")) {
        keys.put(key, value(redis, key));
      }
    }
    return new StoredState(documents, keys, publishedRecords());
  }

  /** The end offsets of the job topics, summed over partitions: they move with every record. */
  private static Map<String, Long> publishedRecords() {
    try (var admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers()))) {
      var partitions = new HashMap<TopicPartition, OffsetSpec>();
      admin
          .describeTopics(TOPICS)
          .allTopicNames()
          .get(10, TimeUnit.SECONDS)
          .values()
          .forEach(
              topic ->
                  topic
                      .partitions()
                      .forEach(
                          p ->
                              partitions.put(
                                  new TopicPartition(topic.name(), p.partition()),
                                  OffsetSpec.latest())));
      var ends = new TreeMap<String, Long>();
      admin
          .listOffsets(partitions)
          .all()
          .get(10, TimeUnit.SECONDS)
          .forEach(
              (partition, offset) -> ends.merge(partition.topic(), offset.offset(), Long::sum));
      return ends;
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the job topics' offsets", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String value(StringRedisTemplate redis, String key) {
    var type = redis.type(key);
    return type.code()
        + " "
        + switch (type) {
          case STRING -> redis.opsForValue().get(key);
          case HASH -> new TreeMap<>(redis.opsForHash().entries(key)).toString();
          case LIST -> String.valueOf(redis.opsForList().range(key, 0, -1));
          case SET -> new TreeSet<>(redis.opsForSet().members(key)).toString();
          case ZSET -> String.valueOf(redis.opsForZSet().rangeWithScores(key, 0, -1));
          default -> "?";
        };
  }

  String summary() {
    return "mongo "
        + mongo.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList()
        + ", redis keys="
        + redis.size()
        + ", kafka records "
        + kafka;
  }
}
