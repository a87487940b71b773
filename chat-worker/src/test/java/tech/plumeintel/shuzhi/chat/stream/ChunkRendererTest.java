package tech.plumeintel.shuzhi.chat.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.databind.json.JsonMapper;

class ChunkRendererTest {

  private final ChunkRenderer renderer = new ChunkRenderer("req-1", 1_764_661_832L);
  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void chineseAndEmojiAreEscapedSoThePayloadIsPureAscii() {
    var payload = renderer.content("deepseek-v4-flash", "书里说：你好😀/");

    assertThat(payload.chars().allMatch(c -> c < 128)).isTrue();
    assertThat(payload).contains("\\u4E66", "\\uD83D\\uDE00").contains("/\"");
    assertThat(json.readTree(payload).path("choices").path(0).path("delta").path("content")
        .asString()).isEqualTo("书里说：你好😀/");
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
    var delta = json.readTree(renderer.reasoning("m", "想一想")).path("choices").path(0).path("delta");

    assertThat(delta.path("reasoning_content").asString()).isEqualTo("想一想");
    assertThat(delta.has("content")).isFalse();
    assertThat(delta.has("role")).isFalse();
  }

  @Test
  void finishChunkHasAnEmptyDeltaAndTheReason() {
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
  void errorPayloadIsCodeAndAsciiMessage() {
    var payload = ChunkRenderer.error("MODEL_ERROR", "模型服务暂时不可用");

    assertThat(payload.chars().allMatch(c -> c < 128)).isTrue();
    var error = json.readTree(payload);
    assertThat(error.path("code").asString()).isEqualTo("MODEL_ERROR");
    assertThat(error.path("message").asString()).isEqualTo("模型服务暂时不可用");
  }
}
