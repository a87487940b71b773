package tech.plumeintel.shuzhi.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/**
 * A single-node KRaft Kafka (broker and controller in one), run as Kafka's own {@code kafka.Kafka}
 * in a child JVM, its log under the data directory. Topics are created here, not auto-created, as
 * in production.
 */
final class LocalKafka {

  /** The contract's topics and their dead-letter topics. docker-compose.yml creates the same. */
  static final List<String> TOPICS =
      List.of(
          BookFetchRequested.TOPIC, BookFetchRequested.TOPIC + ".dlt",
          ChatRequested.TOPIC, ChatRequested.TOPIC + ".dlt");

  static final int PARTITIONS = 3;

  // Small and quick to start: a developer's machine runs the whole system.
  private static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final Path directory;
  private final int port;
  private final int controllerPort;

  LocalKafka(Path dataDir, int port, int controllerPort) {
    this.directory = dataDir.resolve("kafka");
    this.port = port;
    this.controllerPort = controllerPort;
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /**
   * Writes the configuration (ports may differ from the last run), formats the log once, starts.
   */
  ChildProcess start(Console console) throws IOException, InterruptedException {
    var logDir = directory.resolve("log");
    Files.createDirectories(logDir);
    var config = directory.resolve("server.properties");
    Files.writeString(config, serverProperties(logDir));
    if (!Files.exists(logDir.resolve("meta.properties"))) {
      var format =
          ChildProcess.start(
              "kafka-format",
              Jvm.main(
                  jvmOptions(),
                  "kafka.tools.StorageTool",
                  "format",
                  "-t",
                  Uuid.randomUuid().toString(),
                  "-c",
                  config.toString()),
              Map.of(),
              directory,
              console);
      if (format.awaitExit(Duration.ofSeconds(60)) != 0) {
        throw new IllegalStateException("formatting the Kafka log in " + logDir + " failed");
      }
    }
    return ChildProcess.start(
        "kafka",
        Jvm.main(jvmOptions(), KafkaBrokerMain.class.getName(), config.toString()),
        Map.of(),
        directory,
        console);
  }

  /**
   * {@code SHUZHI_LOCAL_KAFKA_JAVA_OPTS} replaces the default options: the benchmark runs the
   * broker as a deployment's image does.
   */
  private static List<String> jvmOptions() {
    return Jvm.options("SHUZHI_LOCAL_KAFKA_JAVA_OPTS", DEFAULT_JVM_OPTIONS);
  }

  // A static voter set (not --standalone's dynamic one) so that a changed controller port is
  // simply picked up from this file on the next start.
  private String serverProperties(Path logDir) {
    return """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:%2$d
        listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
        advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        inter.broker.listener.name=PLAINTEXT
        log.dirs=%3$s
        num.partitions=%4$d
        auto.create.topics.enable=false
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        """
        .formatted(port, controllerPort, logDir.toString().replace('\\', '/'), PARTITIONS);
  }

  /** Waits until the broker answers, then creates the topics it does not have yet. */
  void awaitReadyAndCreateTopics(ChildProcess broker, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Ports.awaitListening(port, broker, deadline);
    try (var admin =
        Admin.create(
            Map.<String, Object>of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
      var existing = admin.listTopics().names().get(remaining(deadline), TimeUnit.NANOSECONDS);
      var missing = new HashSet<>(TOPICS);
      missing.removeAll(existing);
      if (!missing.isEmpty()) {
        admin
            .createTopics(
                missing.stream().map(topic -> new NewTopic(topic, PARTITIONS, (short) 1)).toList())
            .all()
            .get(remaining(deadline), TimeUnit.NANOSECONDS);
      }
    }
  }

  private static long remaining(long deadline) {
    return Math.max(1, deadline - System.nanoTime());
  }
}
