package tech.plumeintel.shuzhi.chat.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class ChunkRendererTest {

  private final ChunkRenderer renderer = new ChunkRenderer("req-1", 1_764_661_832L);
  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void chineseAndEmojiAreEscapedSoThePayloadIsPureAscii() {
    var payload = renderer.content("deepseek-v4-flash", "书里说：你好😀/");

    assertThat(payload.chars().allMatch(c -> c < 128)).isTrue();
    assertThat(payload).contains("\\u4E66", "\\uD83D\\uDE00").contains("/\"");
    assertThat(
            json.readTree(payload).path("choices").path(0).path("delta").path("content").asString())
        .isEqualTo("书里说：你好😀/");
  }

  @Test
  void contentChunkHasTheOpenAiShapeWithTheRequestId() {
    var chunk = json.readTree(renderer.content("m", "hi"));

    assertThat(chunk.path("id").asString()).isEqualTo("req-1");
    assertThat(chunk.path("object").asString()).isEqualTo("chat.completion.chunk");
    assertThat(chunk.path("created").asLong()).isEqualTo(1_764_661_832L);
    assertThat(chunk.path("model").asString()).isEqualTo("m");
    var choice = chunk.path("choices").path(0);
    assertThat(choice.path("index").asInt()).isZero();
    assertThat(choice.path("delta").path("role").asString()).isEqualTo("assistant");
    assertThat(choice.path("delta").path("content").asString()).isEqualTo("hi");
    assertThat(choice.has("finish_reason")).isTrue();
    assertThat(choice.path("finish_reason").isNull()).isTrue();
    assertThat(chunk.has("usage")).isFalse();
  }

  @Test
  void reasoningTravelsApartFromContent() {
    renderer.reasoning("m", "先想");
    var delta = json.readTree(renderer.reasoning("m", "想一想")).path("choices").path(0).path("delta");

    assertThat(delta.path("reasoning_content").asString()).isEqualTo("想一想");
    assertThat(delta.has("content")).isFalse();
    assertThat(delta.has("role")).isFalse();
  }

  @Test
  void theFirstChunkOfAStreamCarriesTheAssistantRoleWhateverItCarries() {
    var thinkingFirst = new ChunkRenderer("req-2", 1L);
    var first = json.readTree(thinkingFirst.reasoning("m", "想")).path("choices").path(0);
    var second = json.readTree(thinkingFirst.reasoning("m", "再想")).path("choices").path(0);
    var cancelledBeforeAnything =
        json.readTree(new ChunkRenderer("req-3", 1L).finish("m", "cancelled"))
            .path("choices")
            .path(0);

    assertThat(first.path("delta").path("role").asString()).isEqualTo("assistant");
    assertThat(first.path("delta").path("reasoning_content").asString()).isEqualTo("想");
    assertThat(second.path("delta").has("role")).isFalse();
    assertThat(cancelledBeforeAnything.path("delta").path("role").asString())
        .isEqualTo("assistant");
    assertThat(cancelledBeforeAnything.path("finish_reason").asString()).isEqualTo("cancelled");
  }

  @Test
  void finishChunkHasAnEmptyDeltaAndTheReason() {
    renderer.content("m", "答");
    var choice = json.readTree(renderer.finish("m", "cancelled")).path("choices").path(0);

    assertThat(choice.path("delta").isEmpty()).isTrue();
    assertThat(choice.path("finish_reason").asString()).isEqualTo("cancelled");
  }

  @Test
  void usageChunkHasNoChoicesAndDeepSeekCounts() {
    var chunk = json.readTree(renderer.usage("m", new TokenUsage(18, 219, 205, 6, 12)));

    assertThat(chunk.path("choices").isArray()).isTrue();
    assertThat(chunk.path("choices").isEmpty()).isTrue();
    var usage = chunk.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(18);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(219);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(237);
    assertThat(usage.path("completion_tokens_details").path("reasoning_tokens").asInt())
        .isEqualTo(205);
    assertThat(usage.path("prompt_cache_hit_tokens").asInt()).isEqualTo(6);
    assertThat(usage.path("prompt_cache_miss_tokens").asInt()).isEqualTo(12);
  }

  @Test
  void errorPayloadCarriesCodeAndAsciiMessageAndTheSameAsOpenAisErrorMember() {
    var payload = ChunkRenderer.error("MODEL_ERROR", "模型服务暂时不可用");

    assertThat(payload.chars().allMatch(c -> c < 128)).isTrue();
    var error = json.readTree(payload);
    assertThat(error.path("code").asString()).isEqualTo("MODEL_ERROR");
    assertThat(error.path("message").asString()).isEqualTo("模型服务暂时不可用");
    assertThat(error.path("error").path("code").asString()).isEqualTo("MODEL_ERROR");
    assertThat(error.path("error").path("message").asString()).isEqualTo("模型服务暂时不可用");
    assertThat(error.path("error").path("type").asString()).isEqualTo("server_error");
  }

  /** What the chunks were before they were written by hand: Jackson, escaping non-ASCII. */
  private static final JsonMapper JACKSON =
      JsonMapper.builder()
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .build();

  @Test
  void everyChunkIsByteForByteWhatJacksonWrote() {
    var texts =
        new ArrayList<>(
            List.of(
                "",
                "hi",
                "书里说：你好😀/",
                "\"quoted\" \\ back",
                "tab\tnl\nr\rb\bf\f",
                "\u0000\u0001\u001F\u007F\u0080\u00FF\uFFFF",
                "</script>",
                "\uD83D",
                "\uDE00x"));
    var random = new Random(42);
    for (int n = 0; n < 500; n++) {
      var text = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        text.append(
            switch (random.nextInt(4)) {
              case 0 -> (char) random.nextInt(0x80);
              case 1 -> (char) random.nextInt(0x800);
              case 2 -> (char) random.nextInt(0x10000);
              default -> "😀";
            });
      }
      texts.add(text.toString());
    }
    for (var text : texts) {
      var model = "m" + text;
      assertThat(new ChunkRenderer("req-" + text, 1_764_661_832L).reasoning(model, text))
          .isEqualTo(
              jackson(
                  "req-" + text,
                  model,
                  List.of(new Choice(0, new Delta("assistant", null, text), null)),
                  null));
      assertThat(new ChunkRenderer("req-" + text, 1_764_661_832L).finish(model, text))
          .isEqualTo(
              jackson(
                  "req-" + text,
                  model,
                  List.of(new Choice(0, new Delta("assistant", null, null), text)),
                  null));
      var rendered = new ChunkRenderer("req-" + text, 1_764_661_832L);
      assertThat(rendered.content(model, text))
          .isEqualTo(
              jackson(
                  "req-" + text,
                  model,
                  List.of(new Choice(0, new Delta("assistant", text, null), null)),
                  null));
      assertThat(rendered.reasoning(model, text))
          .isEqualTo(
              jackson(
                  "req-" + text,
                  model,
                  List.of(new Choice(0, new Delta(null, null, text), null)),
                  null));
      assertThat(rendered.finish(model, text))
          .isEqualTo(
              jackson(
                  "req-" + text,
                  model,
                  List.of(new Choice(0, new Delta(null, null, null), text)),
                  null));
      assertThat(ChunkRenderer.error("MODEL_ERROR", text))
          .isEqualTo(
              JACKSON.writeValueAsString(
                  new ErrorPayload(
                      "MODEL_ERROR", text, new OpenAiError("MODEL_ERROR", text, "server_error"))));
    }
    assertThat(renderer.usage("m", new TokenUsage(18, 219, 205, 6, 12)))
        .isEqualTo(
            jackson(
                "req-1",
                "m",
                List.of(),
                new UsagePayload(18, 219, 237, new CompletionDetails(205), 6, 12)));
  }

  private static String jackson(
      String id, String model, List<Choice> choices, @Nullable UsagePayload usage) {
    return JACKSON.writeValueAsString(
        new ChunkPayload(id, "chat.completion.chunk", 1_764_661_832L, model, choices, usage));
  }

  record ChunkPayload(
      String id,
      String object,
      long created,
      String model,
      List<Choice> choices,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable UsagePayload usage) {}

  record Choice(int index, Delta delta, @Nullable String finishReason) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Delta(
      @Nullable String role, @Nullable String content, @Nullable String reasoningContent) {}

  record UsagePayload(
      int promptTokens,
      int completionTokens,
      int totalTokens,
      CompletionDetails completionTokensDetails,
      int promptCacheHitTokens,
      int promptCacheMissTokens) {}

  record CompletionDetails(int reasoningTokens) {}

  record ErrorPayload(String code, String message, OpenAiError error) {}

  record OpenAiError(String code, String message, String type) {}
}
