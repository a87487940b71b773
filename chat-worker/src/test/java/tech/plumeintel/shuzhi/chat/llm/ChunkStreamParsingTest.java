package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.databind.json.JsonMapper;

class ChunkStreamParsingTest {

  private final ChunkParser parser = new ChunkParser(JsonMapper.builder().build());

  /** The fixture as DeepSeek puts it on the wire: keep-alives while queued, then events, [DONE]. */
  private static List<String> wire(List<String> chunks) {
    var lines = new ArrayList<String>(List.of(": keep-alive", "", ": keep-alive", ""));
    for (var chunk : chunks) {
      lines.add("data: " + chunk);
      lines.add("");
    }
    lines.add("data: [DONE]");
    lines.add("");
    return lines;
  }

  private List<ModelEvent> parse(List<String> lines) throws ModelException {
    var decoder = new SseDecoder();
    var events = new ArrayList<ModelEvent>();
    for (var line : lines) {
      var data = decoder.feed(line);
      if (data != null && !data.equals("[DONE]")) {
        events.addAll(parser.parse(data).events());
      }
    }
    return events;
  }

  @Test
  void reasonerStreamYieldsReasoningThenContentThenFinishAndUsage() throws ModelException {
    var events = parse(wire(Fixtures.chunks(Fixtures.REASONER)));

    var reasoning = new StringBuilder();
    var content = new StringBuilder();
    int lastReasoning = -1;
    int firstContent = -1;
    for (int i = 0; i < events.size(); i++) {
      switch (events.get(i)) {
        case ModelEvent.Reasoning r -> {
          reasoning.append(r.text());
          lastReasoning = i;
        }
        case ModelEvent.Content c -> {
          content.append(c.text());
          firstContent = firstContent < 0 ? i : firstContent;
        }
        default -> { }
      }
    }
    assertThat(reasoning.toString()).startsWith("We need to count the number of");
    assertThat(content.toString()).isNotBlank().endsWith("r\"s.");
    assertThat(lastReasoning).isLessThan(firstContent);
    assertThat(events.subList(events.size() - 2, events.size())).containsExactly(
        new ModelEvent.Finished("stop"),
        new ModelEvent.Usage(new TokenUsage(18, 219, 205, 0, 18)));
  }

  @Test
  void roleOnlyFirstDeltaYieldsNoEvent() throws ModelException {
    var first = Fixtures.chunks(Fixtures.REASONER).getFirst();

    var chunk = parser.parse(first);

    assertThat(chunk.events()).isEmpty();
    assertThat(chunk.model()).isEqualTo("deepseek-reasoner");
  }

  @Test
  void chatStreamHasNoReasoningAndEndsByLength() throws ModelException {
    var events = parse(wire(Fixtures.chunks(Fixtures.CHAT)));

    assertThat(events).noneMatch(event -> event instanceof ModelEvent.Reasoning);
    assertThat(events).filteredOn(event -> event instanceof ModelEvent.Content).hasSizeGreaterThan(300);
    assertThat(events.getLast()).isEqualTo(new ModelEvent.Usage(new TokenUsage(13, 400, 0, 0, 13)));
    assertThat(events.get(events.size() - 2)).isEqualTo(new ModelEvent.Finished("length"));
  }

  @Test
  void usageOnlyChunkAsOpenAiSendsItWithIncludeUsage() throws ModelException {
    var chunk = parser.parse("""
        {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],
         "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
                  "prompt_tokens_details":{"cached_tokens":4}}}""");

    assertThat(chunk.events()).containsExactly(
        new ModelEvent.Usage(new TokenUsage(10, 5, 0, 4, 6)));
  }

  @Test
  void dataSpreadOverSeveralLinesIsJoinedAndOtherFieldsAreIgnored() {
    var decoder = new SseDecoder();

    assertThat(decoder.feed("event: message")).isNull();
    assertThat(decoder.feed("id: 7")).isNull();
    assertThat(decoder.feed("data: {\"a\":")).isNull();
    assertThat(decoder.feed("data:1}")).isNull();
    assertThat(decoder.feed(": keep-alive")).isNull();
    assertThat(decoder.feed("")).isEqualTo("{\"a\":\n1}");
    assertThat(decoder.feed("")).isNull();
  }

  @Test
  void errorObjectInTheStreamIsAFailureNamingOnlyItsType() {
    assertThatThrownBy(() -> parser.parse(
        "{\"error\":{\"message\":\"key sk-secret is wrong\",\"type\":\"authentication_error\"}}"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("authentication_error")
        .hasMessageNotContaining("sk-secret");
  }

  @Test
  void htmlInsteadOfJsonIsMalformed() {
    assertThatThrownBy(() -> parser.parse("<html>502 Bad Gateway</html>"))
        .isInstanceOfSatisfying(ModelException.class,
            e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.MALFORMED));
  }
}
