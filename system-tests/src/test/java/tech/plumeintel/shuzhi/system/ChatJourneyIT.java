package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.system.EventStream.Event;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * A reader talks about a book: the API, Kafka, the chat-worker, the LLM stand-in, Redis and back as
 * Server-Sent Events; then the conversation in the reader's history, and its continuation.
 */
class ChatJourneyIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();
  private final Upstreams upstreams = system.upstreams;

  @Test
  void anAnswerStreamsItsThinkingThenItsTextAsAsciiEventsWithIncreasingIdsAndIsKeptInHistory() {
    var reader = system.login("reader-chat");
    var isbn = knownBook(reader);

    var stream = reader.ask(isbn, "这本书讲了什么？[recorded]");

    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
    var requestId = stream.requestId();
    var events = stream.untilEnd();
    var last = events.getLast();
    assertThat(last.isDone()).as("the stream ends with [DONE]: %s", last).isTrue();
    var chunks = events.subList(0, events.size() - 1);
    assertThat(events)
        .extracting(Event::id)
        .doesNotContainNull()
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(chunks)
        .allSatisfy(
            event -> {
              assertThat(Answers.isAscii(event.data())).as("ASCII-only: %s", event.data()).isTrue();
              assertThat(event.json().path("id").asString()).isEqualTo(requestId);
            });
    var reasoning = Answers.text(chunks, "reasoning_content");
    var answer = Answers.text(chunks, "content");
    assertThat(reasoning).startsWith(Answers.RECORDED_REASONING_START);
    assertThat(answer).isEqualTo(Answers.RECORDED_ANSWER);
    assertThat(lastIndexWith(chunks, "reasoning_content"))
        .as("the thinking comes before the answer")
        .isLessThan(firstIndexWith(chunks, "content"));
    assertThat(chunks.getLast().json().path("usage").path("completion_tokens").asInt())
        .isPositive();

    var conversation = reader.awaitConversation(isbn, 1);
    assertThat(conversation.path("title").asString()).isEqualTo(Books.TITLE);
    assertThat(conversation.path("cover_url").asString())
        .contains("/api/books/" + isbn + "/cover/?exp=");
    assertThat(conversation.path("last_question").asString()).isEqualTo("这本书讲了什么？[recorded]");
    var detail = reader.get("/api/user/history/" + conversation.path("id").asString() + "/");
    assertThat(detail.status()).isEqualTo(200);
    var exchange = detail.json().path("exchanges").path(0);
    assertThat(exchange.path("question").asString()).isEqualTo("这本书讲了什么？[recorded]");
    assertThat(exchange.path("answer").asString()).isEqualTo(answer);
    assertThat(exchange.path("reasoning").asString()).isEqualTo(reasoning);
    assertThat(exchange.path("request_id").asString()).isEqualTo(requestId);
  }

  @Test
  void theFirstChunkCarriesTheAssistantRoleAsOpenAisDoesEvenWhenTheThinkingComesFirst() {
    var reader = system.login("reader-role");
    var isbn = knownBook(reader);

    var events = reader.ask(isbn, "先想一想再答[recorded]").untilEnd();

    var first = events.getFirst().json().path("choices").path(0).path("delta");
    assertThat(first.path("role").asString()).as("first delta: %s", first).isEqualTo("assistant");
    assertThat(first.has("reasoning_content")).as("first delta: %s", first).isTrue();
    assertThat(events.get(1).json().path("choices").path(0).path("delta").has("role"))
        .as("only the first thinking delta carries the role")
        .isFalse();
  }

  @Test
  void aFollowUpWithThePreviousTurnsContinuesTheConversationAndNeverSendsTheThinkingBack() {
    var reader = system.login("reader-follow-up");
    var isbn = knownBook(reader);
    var firstQuestion = "主人公是谁？[first-turn]";
    var firstAnswer = Answers.text(reader.ask(isbn, firstQuestion).untilEnd(), "content");
    reader.awaitConversation(isbn, 1);
    var secondQuestion = "他后来怎样了？[second-turn]";
    upstreams.llm.when(
        "[second-turn]",
        new Behaviour.Replay(
            Answers.chunks(List.of("读者问的是", "王二的结局。"), List.of("《黄金时代》里，", "王二", "回到了北京。😀")),
            Duration.ofMillis(5)));

    var events =
        reader
            .ask(
                isbn,
                List.of(firstQuestion, firstAnswer, secondQuestion),
                null,
                "text/event-stream")
            .untilEnd();

    assertThat(events.getLast().isDone()).isTrue();
    assertThat(events).allSatisfy(event -> assertThat(Answers.isAscii(event.data())).isTrue());
    assertThat(Answers.text(events, "content")).isEqualTo("《黄金时代》里，王二回到了北京。😀");
    assertThat(Answers.text(events, "reasoning_content")).isEqualTo("读者问的是王二的结局。");
    var conversation = reader.awaitConversation(isbn, 2);
    assertThat(conversation.path("last_question").asString()).isEqualTo(secondQuestion);
    var exchanges =
        reader
            .get("/api/user/history/" + conversation.path("id").asString() + "/")
            .json()
            .path("exchanges");
    assertThat(exchanges.size()).isEqualTo(2);
    assertThat(exchanges.path(1).path("reasoning").asString()).isEqualTo("读者问的是王二的结局。");

    var sent = upstreams.llm.requestsContaining("[second-turn]").getFirst().body().path("messages");
    assertThat(sent.size()).isEqualTo(4);
    assertThat(sent.path(2).path("role").asString()).isEqualTo("assistant");
    assertThat(sent.path(2).path("content").asString()).isEqualTo(firstAnswer);
    assertThat(sent.path(2).has("reasoning_content")).isFalse();
    assertThat(sent.toString()).doesNotContain(Answers.RECORDED_REASONING_START);
    var firstSent =
        upstreams.llm.requestsContaining("[first-turn]").getFirst().body().path("messages");
    assertThat(sent.path(0).path("content").asString())
        .as("the system prompt stays byte-stable, for DeepSeek's prefix cache")
        .isEqualTo(firstSent.path(0).path("content").asString())
        .contains(Books.TITLE);
  }

  @Test
  void ndjsonCarriesTheSameObjectsOnePerLineEndingWithDone() {
    var reader = system.login("reader-ndjson");
    var isbn = TestIsbns.next();

    var stream = reader.ask(isbn, List.of("一行一个[ndjson]"), null, "application/x-ndjson");

    assertThat(stream.header("Content-Type")).startsWith("application/x-ndjson");
    var lines = stream.untilEnd();
    assertThat(lines.getLast().data()).isEqualTo("{\"done\":true}");
    assertThat(lines)
        .allSatisfy(
            line -> {
              assertThat(line.id()).isNull();
              assertThat(Answers.isAscii(line.data())).isTrue();
            });
    assertThat(lines.subList(0, lines.size() - 1))
        .allSatisfy(
            line ->
                assertThat(line.json().path("object").asString())
                    .isEqualTo("chat.completion.chunk"));
    assertThat(Answers.text(lines, "content")).isEqualTo(Answers.RECORDED_ANSWER);
  }

  /** A book the reader has looked up, so the system knows its title and cover. */
  private String knownBook(Reader reader) {
    var isbn = TestIsbns.next();
    Books.onDouban(upstreams, isbn);
    var lookup = reader.lookUp(isbn);
    assertThat(lookup.status()).isEqualTo(202);
    assertThat(
            reader
                .awaitTaskEnd(lookup.json().path("poll_url").asString(), Duration.ofSeconds(30))
                .path("status")
                .asString())
        .isEqualTo("succeeded");
    return isbn;
  }

  private static int firstIndexWith(List<Event> events, String field) {
    for (int i = 0; i < events.size(); i++) {
      if (!events.get(i).delta(field).isEmpty()) {
        return i;
      }
    }
    return -1;
  }

  private static int lastIndexWith(List<Event> events, String field) {
    for (int i = events.size() - 1; i >= 0; i--) {
      if (!events.get(i).delta(field).isEmpty()) {
        return i;
      }
    }
    return -1;
  }
}
