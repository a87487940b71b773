package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * Another reader gets nothing of the first reader's: their streams, history and saved books answer
 * 404 exactly as things that do not exist, and stay as they were.
 */
class ReaderIsolationIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  @Test
  void anotherReaderCannotReadResumeCancelOrDeleteTheFirstReadersThings() {
    var owner = system.login("reader-owner");
    var stranger = system.login("reader-stranger");
    var isbn = TestIsbns.next();
    system.upstreams.llm.when(
        "[owned]",
        new Behaviour.Stall(Upstreams.recordedChunks(Upstreams.REASONER).subList(0, 10)));
    assertThat(owner.post("/api/user/collections/", Map.of("isbn", isbn)).status()).isEqualTo(200);
    var finished = owner.ask(isbn, "我的问题[isolated]");
    var finishedId = finished.requestId();
    assertThat(finished.untilEnd().getLast().isDone()).isTrue();
    var conversationId = owner.awaitConversation(isbn, 1).path("id").asString();
    var live = owner.ask(isbn, "还在说[owned]");
    var liveId = live.requestId();
    live.next(3);

    for (var answer :
        List.of(
            stranger.get("/api/chat/stream/" + finishedId + "/"),
            stranger.get("/api/chat/stream/" + liveId + "/?after=0"),
            stranger.post("/api/chat/stream/" + liveId + "/cancel/", null),
            stranger.get("/api/user/history/" + conversationId + "/"),
            stranger.delete("/api/user/history/" + conversationId + "/"),
            stranger.delete("/api/user/collections/" + isbn + "/"))) {
      assertNotFound(answer);
    }
    assertThat(stranger.get("/api/user/history/").json().path("count").asInt()).isZero();
    assertThat(stranger.get("/api/user/collections/").json().path("count").asInt()).isZero();

    assertThat(live.next(2)).as("the owner's stream goes on").hasSize(2);
    assertThat(owner.cancel(liveId).status()).isEqualTo(200);
    assertThat(live.untilEnd().getLast().isDone()).isTrue();
    assertThat(owner.get("/api/user/history/" + conversationId + "/").status()).isEqualTo(200);
    var saved = owner.get("/api/user/collections/").json();
    assertThat(saved.path("count").asInt()).isEqualTo(1);
    assertThat(saved.path("results").path(0).path("isbn").asString()).isEqualTo(isbn);
    assertThat(owner.resume(finishedId, 0).untilEnd().getLast().isDone())
        .as("the owner can still replay the finished stream")
        .isTrue();
  }

  private static void assertNotFound(JsonHttp.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(404);
    assertThat(answer.json().path("code").asString()).isEqualTo("NOT_FOUND");
    assertThat(answer.json().path("message").asString()).isNotBlank();
  }
}
