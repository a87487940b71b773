package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.WechatServerStandIn;

/**
 * WeChat content security across the services: the API refuses a risky question before anything is
 * published; the chat-worker stops a risky answer, and the API neither replays it on resume nor
 * shows it in the history.
 */
class ContentSecurityJourneyIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();
  private final Upstreams upstreams = system.upstreams;

  @Test
  void aRiskyQuestionIsRefusedAndNeverReachesTheModel() {
    var reader = system.login("reader-risky-question");
    var marker = "q-" + UUID.randomUUID();

    var answer =
        reader.post(
            "/api/chat/stream/",
            Map.of(
                "isbn",
                TestIsbns.next(),
                "messages",
                List.of(
                    Map.of("role", "user", "content", marker + " " + WechatServerStandIn.RISKY))));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("code").asString()).isEqualTo("CONTENT_REJECTED");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> upstreams.llm.requestsContaining(marker).isEmpty());
  }

  @Test
  void aRiskyAnswerEndsTheStreamWithContentRejectedAndIsWithheldFromResumeAndHistory() {
    var reader = system.login("reader-risky-answer");
    var marker = "a-" + UUID.randomUUID();
    var isbn = TestIsbns.next();
    var shown = "第一段回答，写得很正常，足够长，让读者先看到一些内容。".repeat(4);
    var risky = "接着出现了 " + WechatServerStandIn.RISKY + " 的内容。".repeat(30);
    upstreams.llm.when(
        marker, new Behaviour.Stall(Answers.chunks(List.of("想一想"), List.of(shown, risky, "后续"))));

    List<EventStream.Event> events;
    String requestId;
    try (var logs = CapturedLogs.start()) {
      var stream = reader.ask(isbn, "这本书讲了什么？" + marker);
      requestId = stream.requestId();
      events = stream.untilEnd();
      assertThat(logs.lines()).as("the withholding was logged").isNotEmpty();
      for (var text : List.of(shown, risky, "这本书讲了什么？", "wx-at-")) {
        assertThat(logs.linesContaining(text)).as("no checked text or token in logs").isEmpty();
      }
    }

    var last = events.getLast();
    assertThat(last.isError()).as("the stream ends with an error event: %s", last).isTrue();
    assertThat(last.json().path("code").asString()).isEqualTo("CONTENT_REJECTED");
    await().atMost(Duration.ofSeconds(5)).until(() -> upstreams.llm.closedAt(marker).isPresent());

    try (var resumed = reader.resume(requestId, 0)) {
      var replay = resumed.untilEnd();
      assertThat(Answers.text(replay, "content")).as("nothing of the answer on resume").isEmpty();
      assertThat(Answers.text(replay, "reasoning_content")).isEmpty();
      assertThat(replay.getLast().json().path("code").asString()).isEqualTo("CONTENT_REJECTED");
    }

    var conversation = reader.awaitConversation(isbn, 1);
    var detail = reader.get("/api/user/history/" + conversation.path("id").asString() + "/");
    var exchange = detail.json().path("exchanges").path(0);
    assertThat(exchange.path("request_id").asString()).isEqualTo(requestId);
    assertThat(exchange.path("status").asString()).isEqualTo("withheld");
    assertThat(exchange.path("answer").asString()).isEmpty();
    assertThat(exchange.path("reasoning").asString()).isEmpty();
    assertThat(detail.body()).doesNotContain(WechatServerStandIn.RISKY).doesNotContain("第一段回答");
  }

  @Test
  void theApiAndTheWorkerShareOneAccessToken() {
    var reader = system.login("reader-shared-token");
    var events = reader.ask(TestIsbns.next(), "这本书讲了什么？[shared-token]").untilEnd();
    assertThat(events.getLast().isDone()).isTrue();

    assertThat(upstreams.wechat.server().checkCalls()).as("both services checked").isGreaterThan(1);
    assertThat(upstreams.wechat.server().stableTokenCalls())
        .as("one token fetched, through Redis, for the API and the worker")
        .isEqualTo(1);
  }
}
