package tech.plumeintel.shuzhi.chat.job;

import static com.mongodb.client.model.Filters.eq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
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
import tech.plumeintel.shuzhi.testsupport.WechatServerStandIn;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers checked by WeChat content security while they stream: the generation runs as the job
 * listener runs it, over real Redis, a Mongo-wire store, the LLM stand-in and the WeChat stand-in,
 * both over real HTTP. Jobs are handed to the generation directly: a second Kafka listener in the
 * worker's group would take other tests' jobs.
 */
@SpringBootTest(
    properties = {
      "spring.kafka.listener.auto-startup=false",
      "shuzhi.chat.heartbeat-interval=200ms",
      "shuzhi.llm.first-token-timeout=5s",
      "shuzhi.llm.idle-timeout=5s",
      "shuzhi.llm.total-timeout=30s",
      "shuzhi.wechat.app-id=" + WechatStandIn.APP_ID,
      "shuzhi.wechat.app-secret=" + WechatStandIn.APP_SECRET,
      "shuzhi.content-security.answer-window=40",
      "shuzhi.content-security.timeout=500ms"
    })
@RealInfrastructure
@DirtiesContext
class AnswerModerationIT {

  static final String ISBN = "9787544253994";
  static final String RISKY_MARK = "[answer-risky]";
  static final OpenAiStandIn llm =
      OpenAiStandIn.start(
          new Behaviour.Replay(Fixtures.chunks(Fixtures.REASONER), Duration.ofMillis(1)));
  static final WechatStandIn wechat = new WechatStandIn();
  static final JsonMapper json = JsonMapper.builder().build();

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry registry) {
    registry.add("shuzhi.llm.base-url", llm::baseUrl);
    registry.add("shuzhi.llm.api-key", () -> "sk-moderation-never-logged");
    registry.add("shuzhi.wechat.base-url", () -> wechat.baseUrl().toString());
  }

  @Autowired ChatGeneration generation;
  @Autowired MongoDatabase mongo;
  @Autowired MeterRegistry meters;
  @Autowired StringRedisTemplate redis;

  @AfterEach
  void wechatRecovers() {
    wechat.server().recover();
  }

  @AfterAll
  static void stop() {
    llm.close();
    wechat.close();
  }

  @Test
  void aRiskyAnswerStopsTheModelEndsTheStreamWithContentRejectedAndIsWithheld() {
    var risky = "这本书的第二章写道：" + WechatServerStandIn.RISKY + " 以及更多不该出现的话。";
    llm.when(
        RISKY_MARK,
        new Behaviour.Stall(List.of(chunk("这本书讲的是一个家族的故事。"), chunk(risky), chunk("后面还有很多内容"))));
    var job = job("这本书讲了什么？" + RISKY_MARK);

    run(job);

    await().atMost(Duration.ofSeconds(15)).until(() -> ended(job.requestId()));
    var last = log(job.requestId()).getLast();
    assertThat(last.kind()).isEqualTo(StreamFrame.Kind.ERROR);
    assertThat(json.readTree(last.payload()).path("code").asString()).isEqualTo("CONTENT_REJECTED");
    await()
        .alias("the model's stream was closed upstream")
        .atMost(Duration.ofSeconds(5))
        .until(() -> llm.closedAt(RISKY_MARK).isPresent());

    // The exchange is stored once the log has been blanked.
    await().atMost(Duration.ofSeconds(5)).until(() -> exchange(job.requestId()) != null);
    var replayed = log(job.requestId());
    assertThat(replayed.getLast()).isEqualTo(last);
    assertThat(shownText(replayed)).as("nothing of the answer is left to replay").isEmpty();
    assertThat(replayed).extracting(StreamFrame::seq).doesNotHaveDuplicates().isSorted();

    var exchange = exchange(job.requestId());
    assertThat(exchange.status()).isEqualTo(Exchange.Status.withheld);
    assertThat(exchange.answer()).isEmpty();
    assertThat(exchange.reasoning()).isEmpty();
    assertThat(meters.find("shuzhi.chat.streams").tag("outcome", "withheld").counter()).isNotNull();
    assertThat(
            meters
                .find("shuzhi.content.security.checks")
                .tag("target", "answer")
                .tag("verdict", "risky")
                .counter()
                .count())
        .isPositive();
  }

  @Test
  void aPassingAnswerIsCheckedWindowByWindowAndEndsNormally() {
    var job = job("这本书讲了什么？[answer-pass]");
    int checksBefore = wechat.server().checkCalls();

    run(job);

    await().atMost(Duration.ofSeconds(15)).until(() -> ended(job.requestId()));
    var events = log(job.requestId());
    assertThat(events.getLast().kind()).isEqualTo(StreamFrame.Kind.DONE);
    var shown = shownText(events);
    assertThat(shown).isNotEmpty();
    assertThat(wechat.server().checkCalls() - checksBefore)
        .as("one check per 40-character window, and the end")
        .isGreaterThanOrEqualTo(shown.length() / 40);
    await().atMost(Duration.ofSeconds(5)).until(() -> exchange(job.requestId()) != null);
    assertThat(exchange(job.requestId()).status()).isEqualTo(Exchange.Status.completed);
  }

  @Test
  void whenWeChatCannotCheckTheAnswerFailOpenLetsItThrough() {
    wechat.server().failAllChecks(WechatServerStandIn.Failure.UNAVAILABLE);
    var job = job("这本书讲了什么？[answer-fail-open]");

    run(job);

    await().atMost(Duration.ofSeconds(20)).until(() -> ended(job.requestId()));
    assertThat(log(job.requestId()).getLast().kind()).isEqualTo(StreamFrame.Kind.DONE);
    assertThat(
            meters
                .find("shuzhi.content.security.failures")
                .tag("target", "answer")
                .tag("reason", "http")
                .counter()
                .count())
        .isPositive();
  }

  private void run(ChatRequested job) {
    Thread.ofVirtual().start(() -> generation.run(job));
  }

  private ChatRequested job(String question) {
    var user = "user-" + UUID.randomUUID();
    mongo
        .getCollection("users")
        .replaceOne(
            eq("_id", user),
            new Document("_id", user).append("openid", "o-" + user),
            new ReplaceOptions().upsert(true));
    var job =
        new ChatRequested(
            UUID.randomUUID().toString(),
            user,
            ISBN,
            List.of(new ChatMessage(ChatMessage.Role.USER, question)),
            Instant.now(),
            Instant.now().plusSeconds(30));
    return job;
  }

  /** The stream's frames as its replay log keeps them: what a resume gets. */
  private List<StreamFrame> log(String requestId) {
    var logged = redis.opsForList().range(ChatChannels.log(requestId), 0, -1);
    return logged == null ? List.of() : logged.stream().map(StreamFrame::decode).toList();
  }

  private boolean ended(String requestId) {
    var frames = log(requestId);
    return !frames.isEmpty() && frames.getLast().kind().endsStream();
  }

  private Exchange exchange(String requestId) {
    return mongo
        .getCollection(Exchange.COLLECTION, Exchange.class)
        .find(eq("_id", requestId))
        .first();
  }

  /** The thinking and answer text the frames carry, as a client would show it. */
  private static String shownText(List<StreamFrame> frames) {
    var text = new StringBuilder();
    for (var frame : frames) {
      if (frame.kind() != StreamFrame.Kind.CHUNK) {
        continue;
      }
      for (var choice : json.readTree(frame.payload()).path("choices")) {
        text.append(choice.path("delta").path("reasoning_content").asString(""));
        text.append(choice.path("delta").path("content").asString(""));
      }
    }
    return text.toString();
  }

  private static String chunk(String content) {
    var node = json.createObjectNode();
    node.put("id", "chatcmpl-moderation");
    node.put("object", "chat.completion.chunk");
    node.put("created", 1);
    node.put("model", "deepseek-chat");
    var choice = node.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", content);
    choice.putNull("finish_reason");
    return json.writeValueAsString(node);
  }
}
