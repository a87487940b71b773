package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/**
 * A reader's whole visit (login, a lookup, a question and its answer) leaves no secret and no
 * message text in any log line of the three services.
 */
class SecretsNotLoggedIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  @Test
  void aVisitLogsNoTokenKeySecretQuestionOrAnswer() {
    var marker = UUID.randomUUID().toString().substring(0, 8);
    var question = "只有我知道的问题" + marker;
    var answer = "只有模型知道的回答" + marker;
    var thinking = "只有模型想过的事" + marker;
    system.upstreams.llm.when(
        marker,
        new Behaviour.Replay(Answers.chunks(List.of(thinking), List.of(answer)), Duration.ZERO));
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    Reader reader;
    try (var logs = CapturedLogs.start()) {
      var openid = "reader-secrets-" + marker;
      reader = system.login(openid);
      var lookup = reader.lookUp(isbn);
      reader.awaitTaskEnd(lookup.json().path("poll_url").asString(), Duration.ofSeconds(30));
      var events = reader.ask(isbn, question).untilEnd();
      assertThat(Answers.text(events, "content")).isEqualTo(answer);
      reader.awaitConversation(isbn, 1);

      assertThat(logs.lines())
          .as("the visit was logged at all")
          .isNotEmpty()
          .anySatisfy(line -> assertThat(line).contains(isbn));
      for (var secret :
          List.of(
              reader.token(),
              system.upstreams.wechat.sessionKeyFor(openid),
              WechatStandIn.APP_SECRET,
              ShuzhiSystem.JWT_SECRET,
              Upstreams.LLM_API_KEY,
              Upstreams.LLM_SPENT_KEY,
              question,
              answer,
              thinking)) {
        assertThat(logs.linesContaining(secret)).as("log lines holding a secret").isEmpty();
      }
    }
  }
}
