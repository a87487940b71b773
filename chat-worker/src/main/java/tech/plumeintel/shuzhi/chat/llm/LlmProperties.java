package tech.plumeintel.shuzhi.chat.llm;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The OpenAI-compatible endpoint the worker streams answers from ({@code SHUZHI_LLM_*}).
 *
 * @param baseUrl the API root; {@code /chat/completions} is appended
 * @param apiKey sent as a bearer token; required outside the local profile
 * @param model DeepSeek renames its models, so the name stays configuration
 * @param connectTimeout TCP and TLS connect
 * @param firstTokenTimeout from sending the request to the first thinking or answer token; DeepSeek
 *     answers at once and then sends {@code : keep-alive} comments while the request is queued,
 *     which do not count
 * @param idleTimeout the longest silence between two chunks once tokens flow
 * @param totalTimeout the longest a generation may last, also when the client has gone
 * @param maxConcurrentStreams generations one worker runs at once; the job listener pauses beyond
 * @param maxRetries further attempts after a 429, a 5xx or a connect error, only before any token
 * @param retryBackoff the pause before the first retry; it doubles
 * @param maxTokens the answer's token limit, or none to leave it to the model
 * @param thinking DeepSeek's thinking switch ({@code "thinking": {"type": "enabled|disabled"}});
 *     unset sends nothing, which other OpenAI-compatible servers may require (DeepSeek thinks by
 *     default)
 * @param reasoningEffort DeepSeek's {@code reasoning_effort} ({@code low}, {@code high}, {@code
 *     max}); unset sends nothing
 */
@ConfigurationProperties("shuzhi.llm")
@Validated
public record LlmProperties(
    @DefaultValue("https://api.deepseek.com") @NotNull URI baseUrl,
    @Nullable String apiKey,
    @DefaultValue("deepseek-v4-flash") @NotBlank String model,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("60s") Duration firstTokenTimeout,
    @DefaultValue("30s") Duration idleTimeout,
    @DefaultValue("5m") Duration totalTimeout,
    @DefaultValue("2000") @Min(1) int maxConcurrentStreams,
    @DefaultValue("2") @Min(0) int maxRetries,
    @DefaultValue("500ms") Duration retryBackoff,
    @Nullable Integer maxTokens,
    @Nullable Boolean thinking,
    @Nullable String reasoningEffort) {

  public boolean hasApiKey() {
    return apiKey != null && !apiKey.isBlank();
  }

  /** Never prints the key. */
  @Override
  public String toString() {
    return "LlmProperties[baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (hasApiKey() ? "(set)" : "(none)")
        + "]";
  }
}
