package tech.plumeintel.shuzhi.platform;

import com.mongodb.client.MongoClient;
import org.bson.Document;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * UP when MongoDB answers {@code ping}. Replaces Boot's check, which sends {@code hello}, where
 * {@code shuzhi.platform.mongo-ping-health} says the store is the Mongo-wire server used where no
 * mongod can run (the local run, tests without Docker): it does not know that command.
 */
final class MongoPingHealthIndicator extends AbstractHealthIndicator {

  private final MongoClient client;
  private final String database;

  MongoPingHealthIndicator(MongoClient client, String database) {
    super("MongoDB health check failed");
    this.client = client;
    this.database = database;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    client.getDatabase(database).runCommand(new Document("ping", 1));
    builder.up().withDetail("database", database);
  }
}
