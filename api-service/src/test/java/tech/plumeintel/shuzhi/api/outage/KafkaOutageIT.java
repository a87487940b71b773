package tech.plumeintel.shuzhi.api.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.FreePorts;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * Kafka goes away and comes back under a running API: a broker of its own, Kafka's {@code
 * kafka.Kafka} in a child process, frozen with SIGSTOP (as a hung or partitioned broker looks to
 * its clients) and thawed with SIGCONT.
 */
class KafkaOutageIT extends ApiIntegrationTest {

  private static Process broker;
  private static int port;

  @BeforeAll
  static void startBroker() throws Exception {
    port = FreePorts.pick();
    var controllerPort = FreePorts.pick();
    var dir = Files.createTempDirectory("kafka-outage");
    var config = dir.resolve("server.properties");
    Files.writeString(
        config,
        """
        process.roles=broker,controller
        node.id=1
        controller.quorum.voters=1@127.0.0.1:%2$d
        listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
        advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
        controller.listener.names=CONTROLLER
        listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
        inter.broker.listener.name=PLAINTEXT
        log.dirs=%3$s
        offsets.topic.replication.factor=1
        transaction.state.log.replication.factor=1
        transaction.state.log.min.isr=1
        share.coordinator.state.topic.replication.factor=1
        share.coordinator.state.topic.min.isr=1
        group.initial.rebalance.delay.ms=0
        """
            .formatted(port, controllerPort, dir.resolve("log")));
    var format =
        java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                UUID.randomUUID().toString().replace("-", "").substring(0, 22),
                "-c",
                config.toString())
            .start();
    assertThat(format.waitFor()).as("kafka storage format").isZero();
    broker = java("kafka.Kafka", config.toString()).start();
    await().atMost(Duration.ofSeconds(60)).until(KafkaOutageIT::listening);
    try (var admin = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:" + port))) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(BookFetchRequested.TOPIC, 1, (short) 1),
                  new NewTopic(ChatRequested.TOPIC, 1, (short) 1)))
          .all()
          .get();
    }
  }

  private static ProcessBuilder java(String main, String... args) {
    var command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                main));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
  }

  private static boolean listening() {
    try (var socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void signal(String signal) throws Exception {
    assertThat(
            new ProcessBuilder("kill", "-" + signal, Long.toString(broker.pid())).start().waitFor())
        .isZero();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      signal("CONT");
      broker.destroyForcibly().waitFor();
    }
  }

  @Test
  void withoutKafkaNewWorkGetsA503QuicklyAndTheApiRecoversByItselfWhenKafkaIsBack()
      throws Exception {
    var token = loginAs("kafka-comes-back");
    try (var logs = CapturedLogs.start();
        var api =
            new AnotherApiInstance(Map.of("spring.kafka.bootstrap-servers", "127.0.0.1:" + port))) {
      var client = new JsonHttp(api.port());
      assertThat(client.get("/api/books/" + TestIsbns.next() + "/", token).status()).isEqualTo(202);

      signal("STOP");
      try {
        var started = System.nanoTime();
        var lookup = client.get("/api/books/" + TestIsbns.next() + "/", token);
        assertThat(lookup.status()).isEqualTo(503);
        assertThat(lookup.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
        var chat =
            client.post(
                "/api/chat/stream/",
                Map.of(
                    "isbn",
                    TestIsbns.next(),
                    "messages",
                    List.of(Map.of("role", "user", "content", "秘密的问题"))),
                token);
        assertThat(chat.status()).isEqualTo(503);
        assertThat(logs.linesContaining("秘密的问题")).as("the failed job is not logged").isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
            .as("no request thread waits long for a broker that does not answer")
            .isLessThan(Duration.ofSeconds(20));
      } finally {
        signal("CONT");
      }

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () ->
                  assertThat(client.get("/api/books/" + TestIsbns.next() + "/", token).status())
                      .isEqualTo(202));
    }
  }
}
