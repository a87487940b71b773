package tech.plumeintel.shuzhi.chat.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders frame payloads exactly as the client sees them in {@code data:}: OpenAI {@code
 * chat.completion.chunk} objects and {@code {"code","message"}} errors, as ASCII-only JSON. The
 * mini-program has no streaming UTF-8 decoder, so a character split across two network reads must
 * not exist: every non-ASCII character (an emoji as its two surrogates) is written as {@code \}{@code
 * uXXXX}.
 */
public final class ChunkRenderer {

  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
      .disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .build();

  private static final String OBJECT = "chat.completion.chunk";

  private final String requestId;
  private final long created;

  /**
   * @param requestId the chunks' {@code id}: the stream's request id, which the client knows
   * @param created the chunks' {@code created}, epoch seconds
   */
  public ChunkRenderer(String requestId, long created) {
    this.requestId = requestId;
    this.created = created;
  }

  public String content(String model, String text) {
    return choice(model, new Delta("assistant", text, null), null);
  }

  public String reasoning(String model, String text) {
    return choice(model, new Delta(null, null, text), null);
  }

  /** The last choice chunk: an empty delta and why the answer ended ({@code cancelled} on stop). */
  public String finish(String model, String reason) {
    return choice(model, new Delta(null, null, null), reason);
  }

  public String usage(String model, TokenUsage usage) {
    var payload = new UsagePayload(
        usage.promptTokens(),
        usage.completionTokens(),
        usage.promptTokens() + usage.completionTokens(),
        new CompletionDetails(usage.reasoningTokens()),
        usage.cacheHitTokens(),
        usage.cacheMissTokens());
    return JSON.writeValueAsString(
        new ChunkPayload(requestId, OBJECT, created, model, List.of(), payload));
  }

  /** The payload of an ERROR frame. */
  public static String error(String code, String message) {
    return JSON.writeValueAsString(new ErrorPayload(code, message));
  }

  private String choice(String model, Delta delta, @Nullable String finishReason) {
    return JSON.writeValueAsString(new ChunkPayload(requestId, OBJECT, created, model,
        List.of(new Choice(0, delta, finishReason)), null));
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
  record Delta(@Nullable String role, @Nullable String content, @Nullable String reasoningContent) {}

  record UsagePayload(
      int promptTokens,
      int completionTokens,
      int totalTokens,
      CompletionDetails completionTokensDetails,
      int promptCacheHitTokens,
      int promptCacheMissTokens) {}

  record CompletionDetails(int reasoningTokens) {}

  record ErrorPayload(String code, String message) {}
}
