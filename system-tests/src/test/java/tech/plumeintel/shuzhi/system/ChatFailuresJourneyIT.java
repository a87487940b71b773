package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.system.EventStream.Event;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** The model failing in the ways it does, and many readers at once, as the reader sees it. */
class ChatFailuresJourneyIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  private String knownBook(Reader reader) {
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    var lookup = reader.lookUp(isbn);
    assertThat(
            reader
                .awaitTaskEnd(lookup.json().path("poll_url").asString(), Duration.ofSeconds(30))
                .path("status")
                .asString())
        .isEqualTo("succeeded");
    return isbn;
  }

  @Test
  void aKeyWithoutBalanceIsLetGoAndTheChatsAreAnsweredWithTheOtherKey() {
    var reader = system.login("reader-spent-key");
    var isbn = knownBook(reader);
    system.upstreams.llm.refuseKey(Upstreams.LLM_SPENT_KEY, 402);

    for (int i = 0; i < 3; i++) {
      var events = reader.ask(isbn, "问题 " + i + " [spent]").untilEnd();
      assertThat(events.getLast().isDone()).as("ended with [DONE]: %s", events.getLast()).isTrue();
      assertThat(Answers.text(events.subList(0, events.size() - 1), "content"))
          .isEqualTo(Answers.RECORDED_ANSWER);
    }
    assertThat(
            system.upstreams.llm.requestsWithKey(Upstreams.LLM_SPENT_KEY).stream()
                .filter(request -> request.question().contains("[spent]")))
        .as("asked once with the spent key, never again")
        .hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void aModelThatFailsOrKeepsBreakingOffEndsTheStreamWithAClearErrorEvent() {
    var reader = system.login("reader-model-failures");
    var isbn = knownBook(reader);
    var chunks = Upstreams.recordedChunks(Upstreams.REASONER);
    system.upstreams.llm.when(
        "[500]",
        new OpenAiStandIn.Behaviour.Status(
            500, "application/json", "{\"error\":{\"message\":\"internal\"}}"));
    system.upstreams.llm.when("[cut]", new OpenAiStandIn.Behaviour.Cut(chunks.subList(0, 5)));

    for (var marker : List.of("[500]", "[cut]")) {
      var stream = reader.ask(isbn, "问题 " + marker);
      assertThat(stream.status()).as(marker).isEqualTo(200);

      var events = stream.untilEnd();

      var last = events.getLast();
      assertThat(last.isError()).as("%s ends with an error event: %s", marker, last).isTrue();
      assertThat(last.json().path("code").asString()).isEqualTo("MODEL_ERROR");
      assertThat(last.json().path("message").asString()).isNotBlank();
      assertThat(last.data()).doesNotContain("Insufficient", "internal", "Exception");
    }
  }

  @Test
  void twoHundredConcurrentChatsOnOneWorkerAllFinish() throws Exception {
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 4; i++) {
      readers.add(system.login("reader-crowd-chat-" + i));
    }
    var isbn = knownBook(readers.getFirst());
    var chats = new ArrayList<Callable<List<Event>>>();
    for (int i = 0; i < 200; i++) {
      var reader = readers.get(i % readers.size());
      var question = "同时的问题 " + i + " [recorded]";
      chats.add(() -> reader.ask(isbn, question).untilEnd());
    }

    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var chat : pool.invokeAll(chats)) {
        var events = chat.get();
        assertThat(events.getLast().isDone())
            .as("ended with [DONE]: %s", events.getLast())
            .isTrue();
        assertThat(Answers.text(events.subList(0, events.size() - 1), "content"))
            .isEqualTo(Answers.RECORDED_ANSWER);
      }
    }
  }
}
