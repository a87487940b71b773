package tech.plumeintel.shuzhi.chat;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tech.plumeintel.shuzhi.chat.llm.Fixtures;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers that break off after their first token, through the whole worker over real Kafka, Redis
 * and a Mongo-wire store: the stream the reader gets is one answer, numbered without a gap, whether
 * the upstream dropped mid-answer or the worker generating it died.
 */
@SpringBootTest(
    properties = {
      "shuzhi.chat.heartbeat-interval=200ms",
      "shuzhi.llm.first-token-timeout=5s",
      "shuzhi.llm.idle-timeout=5s",
      "shuzhi.llm.total-timeout=30s",
      "shuzhi.llm.retry-backoff=20ms",
      "shuzhi.chat.takeover.lease=1s",
      "shuzhi.chat.takeover.scan-interval=200ms"
    })
@RealInfrastructure
class ChatContinuationIT {

  static final String KEY = "sk-continuation-never-logged";
  static final String ISBN = "9787544253994";
  static final String REASONING = "先想一想这本书的结构。";
  static final String CONTENT = "这本书讲的是一个家族七代人的故事，魔幻与现实交织在一起，读来令人难忘。";
  static final Duration STREAM = Duration.ofSeconds(20);

  static final OpenAiStandIn llm =
      OpenAiStandIn.start(Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT));
  static final StreamProbe redis = new StreamProbe(TestInfrastructure.shared().redisUrl());
  static final JsonMapper json = JsonMapper.builder().build();

  @DynamicPropertySource
  static void model(DynamicPropertyRegistry registry) {
    registry.add("shuzhi.llm.base-url", llm::baseUrl);
    registry.add("shuzhi.llm.api-key", () -> KEY);
  }

  @Autowired KafkaTemplate<Object, Object> kafka;
  @Autowired MongoDatabase mongo;

  @AfterAll
  static void stop() {
    llm.close();
    redis.close();
  }

  @Test
  void anUpstreamCutMidAnswerIsContinuedFromItsPrefixAndTheReaderGetsOneAnswer() {
    var job = job("问题[cut-mid-answer]");
    // Thinking (11 characters) and the first 9 characters of the answer, then the connection ends.
    llm.when(
        "[cut-mid-answer]",
        List.of(
            Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT).cutAfter(11 + 9),
            Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT)));

    send(job);

    await().atMost(STREAM).until(() -> redis.ended(job.requestId()));
    var frames = redis.events(job.requestId());
    assertNumberedFromOne(frames);
    assertThat(frames.getLast().kind()).isEqualTo(StreamFrame.Kind.DONE);
    assertThat(frames).noneMatch(frame -> frame.kind() == StreamFrame.Kind.RESET);
    assertThat(text(frames, "content")).as("prefix + continuation, once").isEqualTo(CONTENT);
    assertThat(text(frames, "reasoning_content")).isEqualTo(REASONING);
    assertThat(redis.log(job.requestId())).containsExactlyElementsOf(frames);
    var continuation = llm.requestsContaining("[cut-mid-answer]").getLast();
    assertThat(continuation.path()).isEqualTo("/beta/chat/completions");
    assertThat(continuation.prefix()).isEqualTo(CONTENT.substring(0, 9));

    var exchange = awaitExchange(job.requestId());
    assertThat(exchange.status()).isEqualTo(Exchange.Status.completed);
    assertThat(exchange.answer()).isEqualTo(CONTENT);
    assertThat(exchange.upstream()).isEqualTo("primary");
    assertThat(exchange.continuations()).containsExactly("prefix primary");
  }

  @Test
  void aFailureWhileThinkingSendsOneResetThenAWholeAnswer() {
    var job = job("问题[cut-thinking]");
    llm.when(
        "[cut-thinking]",
        List.of(
            Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT).cutAfter(6),
            Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT)));

    send(job);

    await().atMost(STREAM).until(() -> redis.ended(job.requestId()));
    var frames = redis.events(job.requestId());
    assertNumberedFromOne(frames);
    assertThat(frames.getLast().kind()).isEqualTo(StreamFrame.Kind.DONE);
    var resets = frames.stream().filter(f -> f.kind() == StreamFrame.Kind.RESET).toList();
    assertThat(resets).hasSize(1);
    assertThat(resets.getFirst().payload()).isEqualTo("{\"reset\":true}");
    var afterReset = frames.subList(frames.indexOf(resets.getFirst()) + 1, frames.size());
    assertThat(text(afterReset, "reasoning_content")).isEqualTo(REASONING);
    assertThat(text(afterReset, "content")).isEqualTo(CONTENT);
    assertThat(text(frames.subList(0, frames.indexOf(resets.getFirst())), "reasoning_content"))
        .isEqualTo(REASONING.substring(0, 6));
    assertThat(awaitExchange(job.requestId()).continuations()).containsExactly("restart primary");
  }

  @Test
  void aStreamWhoseWorkerDiedIsContinuedHereFromItsLogWithNumbersGoingOn() {
    var job = job("问题[dead-worker]");
    // What a worker leaves behind when it is killed mid-answer: its claim, the job, the frames it
    // wrote, and a lease it no longer renews.
    var written =
        List.of(
            StreamFrame.chunk(1, chunk("reasoning_content", REASONING)),
            StreamFrame.chunk(2, chunk("content", CONTENT.substring(0, 12))));
    var client = RedisClient.create(TestInfrastructure.shared().redisUrl());
    try (var connection = client.connect()) {
      var commands = connection.sync();
      commands.hset(ChatChannels.meta(job.requestId()), ChatChannels.META_WORKER, "dead-worker");
      commands.set(ChatChannels.job(job.requestId()), json.writeValueAsString(job));
      for (var frame : written) {
        commands.rpush(ChatChannels.log(job.requestId()), frame.encode());
      }
      commands.zadd(ChatChannels.LEASES, 1, job.requestId());
    } finally {
      client.shutdown();
    }
    llm.when("[dead-worker]", Behaviour.Answer.of("deepseek-v4-flash", REASONING, CONTENT));

    await().atMost(STREAM).until(() -> redis.ended(job.requestId()));
    var frames = redis.log(job.requestId());
    assertNumberedFromOne(frames);
    assertThat(frames.subList(0, 2)).containsExactlyElementsOf(written);
    assertThat(frames.getLast().kind()).isEqualTo(StreamFrame.Kind.DONE);
    assertThat(text(frames, "content")).isEqualTo(CONTENT);
    assertThat(text(frames, "reasoning_content")).isEqualTo(REASONING);
    assertThat(llm.requestsContaining("[dead-worker]").getFirst().prefix())
        .isEqualTo(CONTENT.substring(0, 12));
    assertThat(redis.worker(job.requestId())).isNotEqualTo("dead-worker");
    var exchange = awaitExchange(job.requestId());
    assertThat(exchange.answer()).isEqualTo(CONTENT);
    assertThat(exchange.continuations()).hasSize(2);
    assertThat(exchange.continuations().getFirst()).startsWith("takeover ");
    assertThat(exchange.continuations().getLast()).isEqualTo("prefix primary");
  }

  @Test
  void aStreamHoldsItsLeaseWhileItRunsAndLetsItGoWhenItEnds() {
    llm.when("[leased]", new Behaviour.Stall(Fixtures.chunks(Fixtures.REASONER).subList(0, 3)));
    var job = job("问题[leased]");

    send(job);

    await().atMost(STREAM).until(() -> redis.lease(job.requestId()) != null);
    redis.cancel(job.requestId());
    await().atMost(STREAM).until(() -> redis.ended(job.requestId()));
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.lease(job.requestId()) == null);
  }

  @Test
  void anAnswerRefusedAtOnceLeavesNoLeaseBehind() {
    // The lease is written beside the first token; the stream's end must not overtake it, or a
    // lease would lapse for a stream that is over.
    llm.when("[refused-at-once]", new Behaviour.Status(400, "application/json", "{}"));
    var job = job("问题[refused-at-once]");

    send(job);

    await().atMost(STREAM).until(() -> redis.ended(job.requestId()));
    assertThat(redis.events(job.requestId()).getLast().kind()).isEqualTo(StreamFrame.Kind.ERROR);
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> redis.lease(job.requestId()) == null);
  }

  private static void assertNumberedFromOne(List<StreamFrame> frames) {
    assertThat(frames)
        .extracting(StreamFrame::seq)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, frames.size()).boxed().toList());
  }

  private static String chunk(String field, String text) {
    return json.writeValueAsString(
        Map.of(
            "id",
            "x",
            "object",
            "chat.completion.chunk",
            "model",
            "deepseek-v4-flash",
            "choices",
            List.of(Map.of("index", 0, "delta", Map.of(field, text)))));
  }

  private ChatRequested job(String question) {
    var job =
        new ChatRequested(
            UUID.randomUUID().toString(),
            "user-" + UUID.randomUUID(),
            ISBN,
            List.of(new ChatMessage(ChatMessage.Role.USER, question)),
            Instant.now(),
            Instant.now().plusSeconds(30));
    redis.listen(job.requestId());
    return job;
  }

  private void send(ChatRequested job) {
    kafka.send(ChatRequested.TOPIC, job.userId(), job).join();
  }

  private Exchange awaitExchange(String requestId) {
    await().atMost(Duration.ofSeconds(5)).until(() -> exchange(requestId) != null);
    return exchange(requestId);
  }

  private Exchange exchange(String requestId) {
    return mongo
        .getCollection(Exchange.COLLECTION, Exchange.class)
        .find(eq("_id", requestId))
        .first();
  }

  private static String text(List<StreamFrame> frames, String field) {
    var text = new StringBuilder();
    for (var frame : frames) {
      if (frame.kind() != StreamFrame.Kind.CHUNK) {
        continue;
      }
      var value = json.readTree(frame.payload()).path("choices").path(0).path("delta").path(field);
      if (value.isString()) {
        text.append(value.asString());
      }
    }
    return text.toString();
  }
}
