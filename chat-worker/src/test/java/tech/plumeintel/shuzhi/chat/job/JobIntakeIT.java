package tech.plumeintel.shuzhi.chat.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.test.annotation.DirtiesContext;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/**
 * The job listener's container as the worker configures it, against a real broker, paused and
 * resumed as {@link StreamSlots} does it: paused on the consumer thread when a job takes the last
 * slot, resumed from the stream's thread when it frees, thousands of times in a row.
 */
@SpringBootTest(
    properties = {
      "shuzhi.llm.api-key=test-key",
      // The worker's own listener stays stopped: it must not take other tests' chat jobs.
      "spring.kafka.listener.auto-startup=false",
      "shuzhi.chat.takeover.enabled=false"
    })
@RealInfrastructure
@DirtiesContext
class JobIntakeIT {

  private static final int JOBS = 3_000;

  @Autowired KafkaListenerEndpointRegistry listeners;
  @Autowired ConsumerFactory<?, ?> consumers;
  @Autowired JobIntakeHealth health;
  @Autowired ApplicationEventPublisher events;

  @Test
  void intakePausedAndResumedAtEveryJobLosesNoneAndKeepsTheContainerRunning() throws Exception {
    var servers = TestInfrastructure.shared().kafkaBootstrapServers();
    var topic = "intake-" + UUID.randomUUID();
    try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
            new StringSerializer(),
            new StringSerializer())) {
      for (int i = 0; i < JOBS; i++) {
        producer.send(new ProducerRecord<>(topic, Integer.toString(i), Integer.toString(i)));
      }
    }
    var container = workersContainerFor(topic);
    var done = ConcurrentHashMap.<String>newKeySet();
    var slots = new Semaphore(1);
    container
        .getContainerProperties()
        .setMessageListener(
            (MessageListener<String, String>)
                job -> {
                  slots.acquireUninterruptibly();
                  container.pause();
                  Thread.startVirtualThread(
                      () -> {
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000));
                        done.add(job.value());
                        slots.release();
                        container.resume();
                      });
                });
    container.start();
    try {
      await()
          .atMost(Duration.ofSeconds(120))
          .until(() -> done.size() == JOBS || !container.isRunning());

      assertThat(container.isRunning()).as("the container is still running").isTrue();
      assertThat(done).isEqualTo(expected());
    } finally {
      container.stop();
    }
  }

  @Test
  void aListenerThatKafkaStopsForGoodTurnsTheWorkersLivenessDown() throws Exception {
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    var topic = "intake-no-offset-" + UUID.randomUUID();
    try (var admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    // A new group and no reset policy: Kafka has no position to give, and Spring Kafka stops the
    // container for good (Reason.NO_OFFSET), as it does after an emergency stop (ABNORMAL).
    var container =
        workersContainerFor(topic, Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"));
    container
        .getContainerProperties()
        .setMessageListener((MessageListener<String, String>) job -> {});
    container.setApplicationEventPublisher(events);
    container.start();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> !container.isRunning());

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> health.health().getStatus().equals(Status.DOWN));
    } finally {
      container.stop();
    }
  }

  private ConcurrentMessageListenerContainer<String, String> workersContainerFor(String topic) {
    return workersContainerFor(topic, Map.of());
  }

  /** A container for another topic and group, with the worker's consumer and container settings. */
  private ConcurrentMessageListenerContainer<String, String> workersContainerFor(
      String topic, Map<String, Object> overrides) {
    var worker = listeners.getListenerContainer(ChatJobListener.ID);
    assertThat(worker).isInstanceOf(ConcurrentMessageListenerContainer.class);
    var workers = (ConcurrentMessageListenerContainer<?, ?>) worker;
    var consumerSettings = new HashMap<>(consumers.getConfigurationProperties());
    consumerSettings.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
    consumerSettings.putAll(overrides);
    var properties = new ContainerProperties(topic);
    properties.setPauseImmediate(workers.getContainerProperties().isPauseImmediate());
    properties.setSyncCommits(workers.getContainerProperties().isSyncCommits());
    properties.setAckMode(workers.getContainerProperties().getAckMode());
    return new ConcurrentMessageListenerContainer<>(
        new DefaultKafkaConsumerFactory<>(
            consumerSettings, new StringDeserializer(), new StringDeserializer()),
        properties);
  }

  private static Set<String> expected() {
    return Set.copyOf(IntStream.range(0, JOBS).mapToObj(Integer::toString).toList());
  }
}
