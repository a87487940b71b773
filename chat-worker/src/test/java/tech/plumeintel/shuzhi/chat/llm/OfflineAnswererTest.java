package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;

class OfflineAnswererTest {

  @Test
  void streamsLabelledReasoningThenContentFromTheBook() throws ModelException {
    var book =
        new Book(
            "9787544253994",
            "百年孤独",
            null,
            null,
            "加西亚·马尔克斯",
            null,
            "南海出版公司",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            "简介",
            null,
            null,
            false,
            null,
            Instant.EPOCH);
    var prompt =
        new Prompt(
            "9787544253994",
            book,
            "system",
            List.of(new ChatMessage(ChatMessage.Role.USER, "讲讲这本书😀")));

    var events = new ArrayList<ModelEvent>();
    try (var stream = new OfflineAnswerer(Duration.ZERO).stream(prompt, "u")) {
      for (var event = stream.next(Duration.ofSeconds(1));
          !(event instanceof ModelEvent.End);
          event = stream.next(Duration.ofSeconds(1))) {
        events.add(event);
      }
    }

    var content = new StringBuilder();
    events.stream()
        .filter(e -> e instanceof ModelEvent.Content)
        .forEach(e -> content.append(((ModelEvent.Content) e).text()));
    assertThat(events.getFirst()).isInstanceOf(ModelEvent.Reasoning.class);
    assertThat(content.toString()).startsWith(OfflineAnswerer.LABEL).contains("《百年孤独》");
    assertThat(events).contains(new ModelEvent.Finished("stop"));
  }

  @Test
  void piecesKeepSurrogatePairsWhole() {
    assertThat(OfflineAnswerer.pieces("a😀b😀c")).containsExactly("a😀", "b😀", "c");
  }

  @Test
  void closingStopsAWaitingReaderAtOnce() {
    var prompt =
        new Prompt(
            "9780000000002", null, "s", List.of(new ChatMessage(ChatMessage.Role.USER, "q")));
    var stream = new OfflineAnswerer(Duration.ofMinutes(1)).stream(prompt, "u");
    stream.close();

    Assertions.assertThatThrownBy(() -> stream.next(Duration.ofMinutes(1)))
        .isInstanceOf(ModelException.class);
  }
}
