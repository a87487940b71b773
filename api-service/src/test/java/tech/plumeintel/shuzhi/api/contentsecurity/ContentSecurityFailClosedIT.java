package tech.plumeintel.shuzhi.api.contentsecurity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.testsupport.TopicReader;
import tech.plumeintel.shuzhi.testsupport.WechatServerStandIn;

/** Content security with the fail-closed policy: what WeChat could not check is refused. */
@TestPropertySource(properties = "shuzhi.content-security.on-failure=fail-closed")
class ContentSecurityFailClosedIT extends ApiIntegrationTest {

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
  void whenWeChatCannotCheckAQuestionItIsRefusedWithUpstreamError() {
    var token = loginAs("cs-fail-closed");
    var marker = "closed-" + System.nanoTime();
    WECHAT.server().failAllChecks(WechatServerStandIn.Failure.UNAVAILABLE);

    var answer = api().post("/api/chat/stream/", ContentSecurityIT.chat("你好" + marker), token);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
    assertThat(jobs.records(r -> r.value().contains(marker), Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void aBusyWeChatThatAnswersOnTheRetryLetsTheQuestionThrough() {
    var token = loginAs("cs-fail-closed-retry");
    var marker = "retry-" + System.nanoTime();
    WECHAT.server().failChecks(WechatServerStandIn.Failure.BUSY, 1);

    var answer = api().post("/api/chat/stream/", ContentSecurityIT.chat("你好" + marker), token);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(jobs.awaitRecords(r -> r.value().contains(marker), 1, Duration.ofSeconds(10)))
        .hasSize(1);
  }

  @Test
  void whenWeChatRateLimitsAProfileChangeItIsRefusedWithUpstreamError() {
    var token = loginAs("cs-fail-closed-profile");
    WECHAT.server().failAllChecks(WechatServerStandIn.Failure.RATE_LIMITED);

    var answer = api().put(ContentSecurityIT.PROFILE, ContentSecurityIT.profile("书虫", ""), token);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().path("code").asString()).isEqualTo("UPSTREAM_ERROR");
  }
}
