package tech.plumeintel.shuzhi.api.hostile;

import com.mongodb.client.MongoDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bson.Document;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Everything the API can write, as text: every document of every collection of its database and
 * every key of its Redis database with its value. Cheap because the corpus runs on a database and a
 * Redis database of its own, holding only what the test seeded.
 */
record StoredState(Map<String, List<String>> mongo, Map<String, String> redis) {

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
      keys.put(key, value(redis, key));
    }
    return new StoredState(documents, keys);
  }

  private static String value(StringRedisTemplate redis, String key) {
    var type = redis.type(key);
    return type.code() + " " + switch (type) {
      case STRING -> redis.opsForValue().get(key);
      case HASH -> new TreeMap<>(redis.opsForHash().entries(key)).toString();
      case LIST -> String.valueOf(redis.opsForList().range(key, 0, -1));
      case SET -> new java.util.TreeSet<>(redis.opsForSet().members(key)).toString();
      case ZSET -> String.valueOf(redis.opsForZSet().rangeWithScores(key, 0, -1));
      default -> "?";
    };
  }

  String summary() {
    return mongo.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().size()).toList()
        + ", redis keys=" + redis.size();
  }
}
