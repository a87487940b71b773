package tech.plumeintel.shuzhi.chat.llm;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The OpenAI-compatible endpoints the worker streams answers from ({@code SHUZHI_LLM_*}): the first
 * upstream, then its {@link #fallbacks} in order.
 *
 * @param baseUrl the API root; {@code /chat/completions} is appended
 * @param apiKey sent as a bearer token; required outside the local profile
 * @param apiKeys further keys for the same host ({@code SHUZHI_LLM_API_KEYS}, comma-separated):
 *     requests take the keys in turn
 * @param model DeepSeek renames its models, so the name stays configuration
 * @param connectTimeout TCP and TLS connect
 * @param firstTokenTimeout from sending one attempt to its first thinking or answer token; DeepSeek
 *     answers at once and then sends {@code : keep-alive} comments while the request is queued,
 *     which do not count; when it runs out the next upstream is tried
 * @param idleTimeout the longest silence between two chunks once tokens flow; then the answer is
 *     continued
 * @param totalTimeout the longest a generation may last, failovers and continuations included, also
 *     when the client has gone
 * @param maxConcurrentStreams generations one worker runs at once; the job listener pauses beyond
 * @param maxRetries attempts before the first token beyond one per upstream (after a 429, a 5xx, a
 *     connect error or a first-token timeout)
 * @param retryBackoff the pause before an upstream is asked a second time in one answer; it doubles
 * @param maxContinuations how often one answer may be continued after its first token
 * @param maxTokens the answer's token limit, or none to leave it to the model
 * @param thinking DeepSeek's thinking switch ({@code "thinking": {"type": "enabled|disabled"}});
 *     unset sends nothing, which other OpenAI-compatible servers may require (DeepSeek thinks by
 *     default)
 * @param reasoningEffort DeepSeek's {@code reasoning_effort} ({@code low}, {@code high}, {@code
 *     max}); unset sends nothing
 * @param continuation how this upstream continues an answer cut short
 * @param fallbacks further upstreams ({@code SHUZHI_LLM_FALLBACKS_0_BASE_URL}, …), tried in order
 * @param breaker when an upstream that keeps failing is skipped
 */
@ConfigurationProperties("shuzhi.llm")
@Validated
public record LlmProperties(
    @DefaultValue("https://api.deepseek.com") @NotNull URI baseUrl,
    @Nullable String apiKey,
    @Nullable List<String> apiKeys,
    @DefaultValue("deepseek-v4-flash") @NotBlank String model,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("60s") Duration firstTokenTimeout,
    @DefaultValue("30s") Duration idleTimeout,
    @DefaultValue("5m") Duration totalTimeout,
    @DefaultValue("2000") @Min(1) int maxConcurrentStreams,
    @DefaultValue("2") @Min(0) int maxRetries,
    @DefaultValue("500ms") Duration retryBackoff,
    @DefaultValue("2") @Min(0) int maxContinuations,
    @Nullable Integer maxTokens,
    @Nullable Boolean thinking,
    @Nullable String reasoningEffort,
    @DefaultValue("prefix") Continuation continuation,
    @Nullable List<@Valid Fallback> fallbacks,
    @DefaultValue @Valid Breaker breaker) {

  /** How an upstream continues an answer that was cut after its first token. */
  public enum Continuation {
    /**
     * DeepSeek's chat prefix completion: {@code {base-url}/beta/chat/completions} with the text
     * delivered so far as a last {@code assistant} message carrying {@code "prefix": true}.
     */
    PREFIX,
    /** The answer is generated again from the start, after a {@code reset} event. */
    RESTART
  }

  /**
   * One further upstream; unset fields take the first upstream's values, except the keys.
   *
   * @param baseUrl the API root
   * @param apiKey its key
   * @param apiKeys further keys for it, taken in turn
   * @param model the model name there (hosts name DeepSeek's models differently)
   * @param thinking the thinking switch sent there
   * @param continuation how it continues an answer cut short
   */
  public record Fallback(
      @NotNull URI baseUrl,
      @Nullable String apiKey,
      @Nullable List<String> apiKeys,
      @Nullable String model,
      @Nullable Boolean thinking,
      @Nullable Continuation continuation) {

    @Override
    public String toString() {
      return "Fallback[baseUrl=" + baseUrl + ", model=" + model + "]";
    }
  }

  /**
   * The circuit breaker kept for each upstream (Resilience4j, one per worker).
   *
   * @param failureRate the percentage of failed attempts in the window that opens it
   * @param window the attempts it looks back on
   * @param minimumAttempts attempts before it may open at all
   * @param coolDown how long an open breaker skips its upstream before one probe is let through
   */
  public record Breaker(
      @DefaultValue("50") @Min(1) int failureRate,
      @DefaultValue("10") @Min(1) int window,
      @DefaultValue("5") @Min(1) int minimumAttempts,
      @DefaultValue("30s") Duration coolDown) {}

  public LlmProperties {
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    fallbacks = fallbacks == null ? List.of() : List.copyOf(fallbacks);
    if (breaker == null) {
      breaker = new Breaker(50, 10, 5, Duration.ofSeconds(30));
    }
  }

  public boolean hasApiKey() {
    return !keys(apiKey, apiKeys).isEmpty();
  }

  /** The first upstream's keys: {@code api-key} first, then {@code api-keys}, blanks dropped. */
  static List<String> keys(@Nullable String key, @Nullable List<String> more) {
    var keys = new ArrayList<String>();
    if (key != null && !key.isBlank()) {
      keys.add(key.strip());
    }
    if (more != null) {
      more.stream().filter(k -> k != null && !k.isBlank()).map(String::strip).forEach(keys::add);
    }
    return keys.stream().distinct().toList();
  }

  /** Never prints a key. */
  @Override
  public String toString() {
    return "LlmProperties[baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (hasApiKey() ? "(set)" : "(none)")
        + ", fallbacks="
        + fallbacks
        + "]";
  }
}
