package tech.plumeintel.shuzhi.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Real Kafka, Redis and MongoDB for tests, started once per test JVM and stopped when it exits.
 *
 * <p>With a Docker engine the three run in Testcontainers (the real MongoDB among them); without
 * one they run here: Kafka's own KRaft broker in-process, a real {@code redis-server} binary, and
 * the mongo-java-server Mongo-wire store. The same tests run in both modes. {@code
 * -Dshuzhi.test.infrastructure=docker|local} (or the environment variable {@code
 * SHUZHI_TEST_INFRASTRUCTURE}) forces a mode; the default picks Docker when it answers.
 */
public final class TestInfrastructure {

  private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);
  private static volatile TestInfrastructure shared;

  private final boolean docker;
  private final KafkaUnderTest kafka;
  private final RedisUnderTest redis;
  private final MongoUnderTest mongo;

  private TestInfrastructure(boolean docker) {
    this.docker = docker;
    long started = System.nanoTime();
    if (docker) {
      kafka = new ContainerKafka();
      redis = new ContainerRedis();
      mongo = new ContainerMongo();
    } else {
      kafka = new EmbeddedKraftKafka();
      redis = new EmbeddedRedis();
      mongo = new InProcessMongo();
    }
    log.info(
        "Test infrastructure ({}) up in {} ms: kafka {}, redis {}, mongo {}",
        docker ? "Testcontainers" : "local",
        (System.nanoTime() - started) / 1_000_000,
        kafka.bootstrapServers(),
        redis.url(),
        mongo.connectionString());
  }

  /** The JVM's infrastructure, started on first use. */
  public static TestInfrastructure shared() {
    var current = shared;
    if (current == null) {
      synchronized (TestInfrastructure.class) {
        current = shared;
        if (current == null) {
          current = new TestInfrastructure(useDocker());
          var started = current;
          Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(started::stop));
          shared = current;
        }
      }
    }
    return current;
  }

  public boolean runsInDocker() {
    return docker;
  }

  public String kafkaBootstrapServers() {
    return kafka.bootstrapServers();
  }

  public String redisUrl() {
    return redis.url();
  }

  /** The Redis server, which outage tests may stop and start again on the same address. */
  public RedisUnderTest redis() {
    return redis;
  }

  /** A connection string for one database of the shared MongoDB. */
  public String mongoUri(String database) {
    return mongo.connectionString() + "/" + database;
  }

  /**
   * The Spring Boot properties that point a service at this infrastructure, in the names of the
   * contract's environment variables, plus settings that make tests quick and deterministic.
   */
  public Map<String, String> springProperties(String database) {
    var properties = new LinkedHashMap<String, String>();
    properties.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers());
    properties.put("spring.data.redis.url", redisUrl());
    properties.put("spring.mongodb.uri", mongoUri(database));
    if (mongo instanceof InProcessMongo) {
      // The Mongo-wire store does not know Boot's health command (`hello`).
      properties.put("shuzhi.platform.mongo-ping-health", "true");
    }
    return properties;
  }

  private void stop() {
    for (AutoCloseable part : new AutoCloseable[] {kafka, redis, mongo}) {
      try {
        part.close();
      } catch (Exception e) {
        log.warn("Stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }

  private static boolean useDocker() {
    var forced =
        System.getProperty(
            "shuzhi.test.infrastructure",
            System.getenv().getOrDefault("SHUZHI_TEST_INFRASTRUCTURE", "auto"));
    return switch (forced) {
      case "docker" -> true;
      case "local" -> false;
      case "auto" -> DockerClientFactory.instance().isDockerAvailable();
      default ->
          throw new IllegalStateException(
              "shuzhi.test.infrastructure must be docker, local or auto, not " + forced);
    };
  }
}
