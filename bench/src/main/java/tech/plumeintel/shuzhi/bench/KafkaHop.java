package tech.plumeintel.shuzhi.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.ConcurrentHistogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;

/**
 * The Kafka hop as the chat path takes it, split from the broker's floor: records sent with the
 * API's producer settings, paced like jobs (each one wakes a waiting fetch, where Kafka's {@code
 * EndToEndLatency} sends the next as soon as one arrives and busy-polls with {@code
 * fetch.max.wait.ms=0}), and received at once by a bare {@link KafkaConsumer} and by Spring Kafka's
 * listener container, both with the chat-worker's consumer settings, in this JVM: one clock, in
 * microseconds. The container's own delay is the difference between the two. A third, bare consumer
 * asks the broker to hold an empty fetch for at most 5 ms (instead of 500): what waking a parked
 * fetch costs against polling.
 */
final class KafkaHop {

  /** The consumers' latencies (send → received), in microseconds. */
  record Hop(
      ConcurrentHistogram bare,
      ConcurrentHistogram container,
      ConcurrentHistogram shortWait,
      int records) {
    Map<String, Object> data() {
      var data = new LinkedHashMap<String, Object>();
      data.put(
          "how",
          "records sent with the API's producer settings (acks=all, idempotent, linger.ms=0) at "
              + "a job's pace; received by a bare KafkaConsumer and by Spring Kafka's listener "
              + "container, both with the chat-worker's consumer settings, and by a bare one with "
              + "fetch.max.wait.ms=5, in one JVM");
      data.put("records", records);
      data.put("bare_consumer", Report.percentiles(bare));
      data.put("listener_container", Report.percentiles(container));
      data.put("bare_consumer_fetch_max_wait_5ms", Report.percentiles(shortWait));
      return data;
    }
  }

  private KafkaHop() {}

  static Hop measure(String bootstrap, int records, double perSecond) throws Exception {
    var topic = "bench.kafka-hop." + UUID.randomUUID();
    try (var admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    var bare = new Receiver("bare", records);
    var container = new Receiver("container", records);
    var shortWait = new Receiver("short wait", records);
    var stop = new AtomicBoolean();
    var assigned = new CountDownLatch(3);

    var shortWaitSettings = new HashMap<>(consumerSettings(bootstrap, "short-wait"));
    shortWaitSettings.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
    var bareThread = consume(topic, consumerSettings(bootstrap, "bare"), bare, assigned, stop);
    var shortWaitThread = consume(topic, shortWaitSettings, shortWait, assigned, stop);

    // As the chat-worker's ChatWorkerConfiguration sets its container.
    var properties = new ContainerProperties(topic);
    properties.setSyncCommits(false);
    properties.setAckMode(ContainerProperties.AckMode.TIME);
    properties.setAckTime(100);
    properties.setMessageListener(
        (MessageListener<String, String>) record -> container.received(record, System.nanoTime()));
    var listener =
        new KafkaMessageListenerContainer<>(
            new DefaultKafkaConsumerFactory<String, String>(consumerSettings(bootstrap, "spring")),
            properties);
    listener.start();
    try (var producer = new KafkaProducer<String, String>(producerSettings(bootstrap))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (listener.getAssignedPartitions() == null
          || listener.getAssignedPartitions().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the listener container got no partition in 60 s");
        }
        Thread.sleep(50);
      }
      assigned.countDown();
      if (!assigned.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the bare consumers got no partition in 60 s");
      }
      // One record before counting: every consumer's first fetch after assignment.
      producer.send(new ProducerRecord<>(topic, "warm-up")).get();
      Thread.sleep(500);
      var receivers = List.of(bare, container, shortWait);
      receivers.forEach(receiver -> receiver.latency.reset());
      OpenLoop.run(
          perSecond,
          records,
          due -> producer.send(new ProducerRecord<>(topic, Long.toString(System.nanoTime()))));
      producer.flush();
      for (var receiver : receivers) {
        if (!receiver.got.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "records not received by the "
                  + receiver.name
                  + " consumer: "
                  + (records - receiver.got.getCount())
                  + " of "
                  + records);
        }
      }
    } finally {
      stop.set(true);
      listener.stop();
      bareThread.join(10_000);
      shortWaitThread.join(10_000);
      try (var admin =
          Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      }
    }
    return new Hop(bare.latency, container.latency, shortWait.latency, records);
  }

  /** One consumer's latencies, and how many of the counted records it has yet to receive. */
  private record Receiver(String name, ConcurrentHistogram latency, CountDownLatch got) {
    Receiver(String name, int records) {
      this(name, new ConcurrentHistogram(3), new CountDownLatch(records));
    }

    void received(ConsumerRecord<String, String> record, long now) {
      if (record.value().equals("warm-up")) {
        return;
      }
      latency.recordValue(Math.max(0, (now - Long.parseLong(record.value())) / 1_000));
      got.countDown();
    }
  }

  /** A bare consumer on a thread of its own, polling as the container does, until stopped. */
  private static Thread consume(
      String topic,
      Map<String, Object> settings,
      Receiver receiver,
      CountDownLatch assigned,
      AtomicBoolean stop) {
    return Thread.ofPlatform()
        .name("bench-bare-consumer")
        .start(
            () -> {
              try (var consumer = new KafkaConsumer<String, String>(settings)) {
                consumer.subscribe(Set.of(topic));
                boolean counted = false;
                while (!stop.get()) {
                  // The container's default poll timeout.
                  var polled = consumer.poll(Duration.ofSeconds(5));
                  long now = System.nanoTime();
                  if (!counted && !consumer.assignment().isEmpty()) {
                    counted = true;
                    assigned.countDown();
                  }
                  for (var record : polled) {
                    receiver.received(record, now);
                  }
                }
              }
            });
  }

  /** The API's producer settings (api-service's application.yml). */
  private static Map<String, Object> producerSettings(String bootstrap) {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap,
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true,
        ProducerConfig.LINGER_MS_CONFIG,
        0,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
        StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
        StringSerializer.class);
  }

  /** The chat-worker's consumer settings (its application.yml): Kafka's defaults otherwise. */
  private static Map<String, Object> consumerSettings(String bootstrap, String group) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG,
        "bench.kafka-hop." + group + "." + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        1,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        StringDeserializer.class);
  }
}
