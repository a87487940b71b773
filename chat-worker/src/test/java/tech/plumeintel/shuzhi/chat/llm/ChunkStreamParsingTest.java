package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.llm.ChunkParser.Chunk;
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
    return parse(lines, "\n", new Random(7));
  }

  /** Decodes the lines as bytes joined by {@code end}, handed over in random pieces. */
  private List<ModelEvent> parse(List<String> lines, String end, Random random)
      throws ModelException {
    var bytes = (String.join(end, lines) + end).getBytes(StandardCharsets.UTF_8);
    var decoder = new SseDecoder();
    var events = new ArrayList<ModelEvent>();
    SseDecoder.Sink sink =
        (data, length) -> {
          var text = new String(data, 0, length, StandardCharsets.UTF_8);
          if (!text.equals("[DONE]")) {
            events.addAll(parser.parse(data, length).events());
          }
        };
    for (int at = 0; at < bytes.length; ) {
      int piece = Math.min(bytes.length - at, 1 + random.nextInt(64));
      decoder.feed(ByteBuffer.wrap(bytes, at, piece), sink);
      at += piece;
    }
    decoder.finish(sink);
    return events;
  }

  private Chunk parse(String json) throws ModelException {
    var bytes = json.getBytes(StandardCharsets.UTF_8);
    return parser.parse(bytes, bytes.length);
  }

  /** What the decoder hands over for the given text, event by event. */
  private static List<String> events(String text) throws ModelException {
    var decoder = new SseDecoder();
    var events = new ArrayList<String>();
    SseDecoder.Sink sink =
        (data, length) -> events.add(new String(data, 0, length, StandardCharsets.UTF_8));
    decoder.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), sink);
    decoder.finish(sink);
    return events;
  }

  @Test
  void anyLineEndingAndAnySplitOfTheBytesGiveTheSameEvents() throws ModelException {
    var lines = wire(Fixtures.chunks(Fixtures.REASONER));
    var expected = parse(lines);

    for (var end : List.of("\n", "\r\n", "\r")) {
      for (int seed = 0; seed < 20; seed++) {
        assertThat(parse(lines, end, new Random(seed))).isEqualTo(expected);
      }
    }
  }

  @Test
  void anEventWithoutItsBlankLineIsHandedOverWhenTheStreamEnds() throws ModelException {
    assertThat(events("data: {\"a\":1}")).containsExactly("{\"a\":1}");
    assertThat(events(": keep-alive\n")).isEmpty();
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
        default -> {}
      }
    }
    assertThat(reasoning.toString()).startsWith("We need to count the number of");
    assertThat(content.toString()).isNotBlank().endsWith("r\"s.");
    assertThat(lastReasoning).isLessThan(firstContent);
    assertThat(events.subList(events.size() - 2, events.size()))
        .containsExactly(
            new ModelEvent.Finished("stop"),
            new ModelEvent.Usage(new TokenUsage(18, 219, 205, 0, 18)));
  }

  @Test
  void roleOnlyFirstDeltaYieldsNoEvent() throws ModelException {
    var first = Fixtures.chunks(Fixtures.REASONER).getFirst();

    var chunk = parse(first);

    assertThat(chunk.events()).isEmpty();
    assertThat(chunk.model()).isEqualTo("deepseek-reasoner");
  }

  @Test
  void chatStreamHasNoReasoningAndEndsByLength() throws ModelException {
    var events = parse(wire(Fixtures.chunks(Fixtures.CHAT)));

    assertThat(events).noneMatch(event -> event instanceof ModelEvent.Reasoning);
    assertThat(events)
        .filteredOn(event -> event instanceof ModelEvent.Content)
        .hasSizeGreaterThan(300);
    assertThat(events.getLast()).isEqualTo(new ModelEvent.Usage(new TokenUsage(13, 400, 0, 0, 13)));
    assertThat(events.get(events.size() - 2)).isEqualTo(new ModelEvent.Finished("length"));
  }

  @Test
  void usageOnlyChunkAsOpenAiSendsItWithIncludeUsage() throws ModelException {
    var chunk =
        parse(
            """
        {"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[],
         "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15,
                  "prompt_tokens_details":{"cached_tokens":4}}}""");

    assertThat(chunk.events())
        .containsExactly(new ModelEvent.Usage(new TokenUsage(10, 5, 0, 4, 6)));
  }

  @Test
  void dataSpreadOverSeveralLinesIsJoinedAndOtherFieldsAreIgnored() throws ModelException {
    assertThat(events("event: message\nid: 7\ndata: {\"a\":\ndata:1}\n: keep-alive\n\n\n"))
        .containsExactly("{\"a\":\n1}");
  }

  @Test
  void errorObjectInTheStreamIsAFailureNamingOnlyItsType() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"error\":{\"message\":\"key sk-secret is wrong\",\"type\":\"authentication_error\"}}"))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining("authentication_error")
        .hasMessageNotContaining("sk-secret");
  }

  @Test
  void htmlInsteadOfJsonIsMalformed() {
    assertThatThrownBy(() -> parse("<html>502 Bad Gateway</html>"))
        .isInstanceOfSatisfying(
            ModelException.class,
            e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.MALFORMED));
  }
}
