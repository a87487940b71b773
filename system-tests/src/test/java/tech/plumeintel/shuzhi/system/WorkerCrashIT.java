package tech.plumeintel.shuzhi.system;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBuckets;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tech.plumeintel.shuzhi.chat.ChatWorkerApplication;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.fetch.FetchWorkerApplication;
import tech.plumeintel.shuzhi.system.EventStream.Event;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.TopicReader;

/**
 * Workers that crash for real: a worker runs as a process of its own (its runnable jar), takes a
 * job alone (the in-process worker of its kind steps out of the consumer group meanwhile), and is
 * killed with SIGKILL in the middle of it. Then the in-process worker comes back, as the surviving
 * instance of a scaled-out deployment would be.
 */
class WorkerCrashIT {

  // The listener ids of the two workers (BookFetchListener, ChatJobListener).
  private static final String FETCH_LISTENER = "book-fetch";
  private static final String CHAT_LISTENER = "chat-jobs";
  // The broker's minimum: a killed worker's partitions move on this long after its last heartbeat.
  private static final String SESSION_TIMEOUT_MS = "6000";

  private final ShuzhiSystem system = ShuzhiSystem.shared();
  private final Upstreams upstreams = system.upstreams;
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** Every step runs, even when one fails: no worker process outlives its test. */
  @AfterEach
  void killWorkersAndBringTheInProcessOnesBack() throws Exception {
    Exception first = null;
    for (var step : cleanup.reversed()) {
      try {
        step.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  void aFetchWorkerKilledMidFetchLeavesTheTaskToAnotherWorkerWhichStoresTheBookOnce()
      throws Exception {
    var isbn = TestIsbns.next();
    var stalled = new CountDownLatch(1);
    cleanup.add(stalled::countDown);
    Books.onDouban(upstreams, isbn);
    upstreams.douban.on(
        Books.doubanPath(isbn),
        exchange -> {
          // The first worker's request hangs until the test ends; whoever asks again gets the book.
          awaitQuietly(stalled);
          SourceStandIn.status(503).send(exchange);
        },
        SourceStandIn.redirect("/subject/" + Books.SUBJECT + "/"));
    var inProcess =
        listener(system.fetchWorker.bean(KafkaListenerEndpointRegistry.class), FETCH_LISTENER);
    var properties = new LinkedHashMap<>(system.fetchWorkerProperties());
    properties.putAll(crashableConsumer("fetch-crash"));
    properties.put("shuzhi.books.douban.request-timeout", "30s");
    var worker =
        aloneInItsGroup(
            inProcess,
            FetchWorkerApplication.class,
            properties,
            "fetch-crash",
            "fetch-worker",
            BookFetchRequested.TOPIC);
    var reader = system.login("reader-fetch-crash");

    var lookup = reader.lookUp(isbn);
    assertThat(lookup.status()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> upstreams.douban.requestsMentioning(isbn).size() == 1);
    worker.kill();
    long killedAt = System.nanoTime();
    inProcess.start();

    var task =
        reader.awaitTaskEnd(lookup.json().path("poll_url").asString(), ShuzhiSystem.TASK_DEADLINE);
    assertThat(task.path("status").asString()).isEqualTo("succeeded");
    assertThat(task.path("result").path("title").asString()).isEqualTo(Books.TITLE);
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt))
        .as("taken over within the deadline")
        .isLessThan(ShuzhiSystem.TASK_DEADLINE);
    assertThat(upstreams.douban.requestsMentioning(isbn))
        .as("asked by the killed worker, then once by the one that took over")
        .hasSize(2);
    var database = system.fetchWorker.bean(MongoDatabase.class);
    assertThat(database.getCollection(Book.COLLECTION).countDocuments(eq("_id", isbn)))
        .isEqualTo(1);
    assertThat(
            GridFSBuckets.create(database, Book.COVERS_BUCKET)
                .find(eq("filename", isbn))
                .into(new ArrayList<>()))
        .as("one cover copy")
        .hasSize(1);
    assertThat(reader.lookUp(isbn).status()).isEqualTo(200);
  }

  @Test
  void aChatWorkerKilledMidAnswerLeavesItsStreamToAnotherWorkerAndTheReaderGetsOneWholeAnswer()
      throws Exception {
    var isbn = TestIsbns.next();
    var reasoning = "先想一想这本书讲了什么。";
    var answer = "这本书讲的是一个家族七代人的故事，魔幻与现实交织在一起，读来令人难忘，值得一读再读。";
    // The killed worker's request streams slowly, so the kill lands mid-answer; the continuation
    // (a chat prefix completion from exactly the text delivered) is answered at once.
    upstreams.llm.when(
        "[crash]",
        List.of(
            new Behaviour.Answer(
                "deepseek-v4-flash", reasoning, answer, -1, Duration.ofMillis(150)),
            Behaviour.Answer.of("deepseek-v4-flash", reasoning, answer)));
    var inProcess =
        listener(system.chatWorker.bean(KafkaListenerEndpointRegistry.class), CHAT_LISTENER);
    var properties = new LinkedHashMap<>(system.chatWorkerProperties());
    properties.putAll(crashableConsumer("chat-crash"));
    var worker =
        aloneInItsGroup(
            inProcess,
            ChatWorkerApplication.class,
            properties,
            "chat-crash",
            "chat-worker",
            ChatRequested.TOPIC);
    var reader = system.login("reader-chat-crash");
    var jobs = new TopicReader(ChatRequested.TOPIC);
    cleanup.add(jobs);

    var stream = reader.ask(isbn, "讲到一半[crash]");
    var requestId = stream.requestId();
    // Thinking (4 chunks) and the answer's first 3 chunks.
    var beforeTheCrash = stream.next(7);
    worker.kill();

    var rest = stream.untilEnd();
    assertThat(rest.getLast().isDone()).as("ends with [DONE]: %s", rest.getLast()).isTrue();
    var received = new ArrayList<>(beforeTheCrash);
    received.addAll(rest.subList(0, rest.size() - 1));
    assertThat(received).noneMatch(Event::isError);
    assertThat(received).extracting(Event::type).containsOnlyNulls();
    assertThat(Answers.text(received, "content")).as("one answer, nothing twice").isEqualTo(answer);
    assertThat(Answers.text(received, "reasoning_content")).isEqualTo(reasoning);
    assertThat(received)
        .extracting(Event::id)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, received.size()).boxed().toList());
    var asked = upstreams.llm.requestsContaining("[crash]");
    assertThat(asked).as("asked by the killed worker, then continued once").hasSize(2);
    assertThat(asked.getLast().path()).isEqualTo("/beta/chat/completions");
    assertThat(answer).startsWith(asked.getLast().prefix());
    assertThat(asked.getLast().prefix()).isNotEmpty();

    int middle = received.size() / 2;
    var resumed = reader.resume(requestId, middle).untilEnd();
    assertThat(resumed.subList(0, resumed.size() - 1))
        .as("a resume in the middle gets exactly the rest")
        .containsExactlyElementsOf(received.subList(middle, received.size()));

    // Kafka may deliver the job again (its worker died before the offset was committed): the
    // surviving worker must see it was claimed and leave it alone.
    inProcess.start();
    var meters = system.chatWorker.bean(MeterRegistry.class);
    double duplicatesBefore = duplicates(meters);
    var job =
        jobs.awaitRecords(record -> record.value().contains(requestId), 1, Duration.ofSeconds(10))
            .getFirst();
    deliverAgain(job.key(), job.value());
    await().atMost(Duration.ofSeconds(30)).until(() -> duplicates(meters) > duplicatesBefore);
    assertThat(upstreams.llm.requestsContaining("[crash]")).hasSize(2);

    var conversation = reader.awaitConversation(isbn, 1);
    assertThat(conversation.path("last_question").asString()).isEqualTo("讲到一半[crash]");
  }

  /**
   * Takes the in-process worker out of its group, starts a worker process and waits until it holds
   * every partition; the in-process worker is brought back after the test.
   */
  private WorkerProcess aloneInItsGroup(
      MessageListenerContainer inProcess,
      Class<?> application,
      Map<String, String> properties,
      String name,
      String group,
      String topic)
      throws Exception {
    inProcess.stop();
    cleanup.add(
        () -> {
          if (!inProcess.isRunning()) {
            inProcess.start();
          }
        });
    var worker = WorkerProcess.start(name, application, properties);
    cleanup.add(worker);
    ConsumerGroups.awaitSoleOwner(group, name, topic, Duration.ofSeconds(90));
    assertThat(worker.isAlive()).as("see %s", worker.log()).isTrue();
    return worker;
  }

  /** A consumer whose death the broker notices quickly, under a client id the test can find. */
  private static Map<String, String> crashableConsumer(String clientId) {
    return Map.of(
        "spring.kafka.consumer.client-id", clientId,
        "spring.kafka.consumer.properties.session.timeout.ms", SESSION_TIMEOUT_MS,
        "spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
  }

  private static MessageListenerContainer listener(
      KafkaListenerEndpointRegistry registry, String id) {
    var container = registry.getListenerContainer(id);
    assertThat(container).as("listener %s", id).isNotNull();
    return container;
  }

  private static void deliverAgain(String key, String value) throws Exception {
    try (var producer =
        new KafkaProducer<String, String>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers()),
            new StringSerializer(),
            new StringSerializer())) {
      producer
          .send(new ProducerRecord<>(ChatRequested.TOPIC, key, value))
          .get(10, TimeUnit.SECONDS);
    }
  }

  private static double duplicates(MeterRegistry meters) {
    var counter = meters.find("shuzhi.chat.streams").tag("outcome", "duplicate").counter();
    return counter == null ? 0 : counter.count();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
