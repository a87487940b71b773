package tech.plumeintel.shuzhi.api.contentsecurity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.TopicReader;
import tech.plumeintel.shuzhi.testsupport.WechatServerStandIn;

/** Content security on with the default fail-open policy, WeChat stood in for over real HTTP. */
class ContentSecurityIT extends ApiIntegrationTest {

  static final String PROFILE = "/api/user/profile/";
  private static TopicReader jobs;

  @BeforeAll
  static void readJobs() {
    jobs = new TopicReader(ChatRequested.TOPIC);
  }

  @AfterAll
  static void stopReading() {
    jobs.close();
  }

  @AfterEach
  void wechatRecovers() {
    WECHAT.server().recover();
  }

  @Test
  void aRiskyQuestionIsRefusedBeforeAnyStreamAndNeverReachesKafka() {
    var token = loginAs("cs-risky-question");
    var marker = "risky-" + System.nanoTime();
    var checksBefore = WECHAT.server().checkCalls();

    var answer =
        api().post("/api/chat/stream/", chat("这个怎么样？" + marker + WechatServerStandIn.RISKY), token);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("code").asString()).isEqualTo("CONTENT_REJECTED");
    assertThat(streamsRecordedFor(token)).as("the refused chat's record is gone").isZero();
    assertThat(answer.json().path("message").asString()).isNotBlank();
    assertThat(WECHAT.server().checkCalls()).isGreaterThan(checksBefore);
    assertThat(jobs.records(r -> r.value().contains(marker), Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void aRefusedQuestionLeavesItsClientMessageFreeForTheNextQuestion() {
    var token = loginAs("cs-risky-then-fine");
    var marker = "after-refusal-" + System.nanoTime();
    var isbn = TestIsbns.next();

    var refused =
        api()
            .post(
                "/api/chat/stream/", chat(isbn, "msg-1", "坏问题" + WechatServerStandIn.RISKY), token);
    var rephrased = api().post("/api/chat/stream/", chat(isbn, "msg-1", marker), token);

    assertThat(refused.status()).isEqualTo(400);
    // Not attached to the refused chat's stream, which never began: a stream of its own.
    assertThat(rephrased.status()).isEqualTo(200);
    assertThat(jobs.awaitRecords(r -> r.value().contains(marker), 1, Duration.ofSeconds(10)))
        .hasSize(1);
    assertThat(streamsRecordedFor(token)).isEqualTo(1);
  }

  @Test
  void onlyTheNewQuestionIsCheckedAndAQuestionForReviewIsAllowed() {
    var token = loginAs("cs-review-question");
    var marker = "review-" + System.nanoTime();
    var body =
        Map.of(
            "isbn",
            TestIsbns.next(),
            "messages",
            List.of(
                Map.of("role", "user", "content", "先前的问题"),
                Map.of("role", "assistant", "content", "回答里提到 " + WechatServerStandIn.RISKY),
                Map.of("role", "user", "content", marker + WechatServerStandIn.REVIEW)));

    var answer = api().post("/api/chat/stream/", body, token);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(jobs.awaitRecords(r -> r.value().contains(marker), 1, Duration.ofSeconds(10)))
        .hasSize(1);
  }

  @Test
  void whenWeChatCannotCheckAQuestionFailOpenLetsItThrough() {
    var token = loginAs("cs-fail-open");
    var marker = "open-" + System.nanoTime();
    WECHAT.server().failAllChecks(WechatServerStandIn.Failure.UNAVAILABLE);

    var answer = api().post("/api/chat/stream/", chat("你好" + marker), token);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(jobs.awaitRecords(r -> r.value().contains(marker), 1, Duration.ofSeconds(10)))
        .hasSize(1);
  }

  @Test
  void aRiskyNicknameIsRefusedAndTheProfileStaysAsItWas() {
    var token = loginAs("cs-nickname");
    assertThat(api().put(PROFILE, profile("书虫", ""), token).status()).isEqualTo(200);

    var answer = api().put(PROFILE, profile("坏名字" + WechatServerStandIn.RISKY, ""), token);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("code").asString()).isEqualTo("CONTENT_REJECTED");
    assertThat(api().get(PROFILE, token).json().path("nickname").asString()).isEqualTo("书虫");
  }

  @Test
  void anAvatarOffTheAllowedHostsIsRefused() {
    var token = loginAs("cs-avatar");

    var elsewhere = api().put(PROFILE, profile("书虫", "https://evil.example.net/a.png"), token);
    var wechat =
        api().put(PROFILE, profile("书虫", "https://thirdwx.qlogo.cn/mmopen/vi_32/abc/132"), token);

    assertThat(elsewhere.status()).isEqualTo(400);
    assertThat(elsewhere.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    assertThat(wechat.status()).isEqualTo(200);
  }

  static Map<String, Object> chat(String question) {
    return Map.of(
        "isbn", TestIsbns.next(), "messages", List.of(Map.of("role", "user", "content", question)));
  }

  static Map<String, Object> chat(String isbn, String clientMsgId, String question) {
    return Map.of(
        "isbn",
        isbn,
        "client_msg_id",
        clientMsgId,
        "messages",
        List.of(Map.of("role", "user", "content", question)));
  }

  static Map<String, String> profile(String nickname, String avatar) {
    return Map.of("nickname", nickname, "avatar_url", avatar);
  }
}
