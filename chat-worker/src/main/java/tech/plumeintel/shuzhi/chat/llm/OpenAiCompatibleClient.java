package tech.plumeintel.shuzhi.chat.llm;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams chat completions from any OpenAI-compatible endpoint ({@code POST
 * {base}/chat/completions}, {@code stream: true}, usage included). Built on the JDK HTTP client
 * with a small SSE reader rather than an SDK: the worker needs exactly one call, DeepSeek's {@code
 * reasoning_content} (which the OpenAI SDK does not model), prompt cancellation by closing the
 * connection, and no extra thread per stream. Which upstream a request goes to, and when another is
 * asked, is {@link HttpModelStream}'s business; this class builds the requests.
 */
final class OpenAiCompatibleClient implements ChatModel {

  private final HttpClient http;
  private final LlmProperties properties;
  private final Upstreams upstreams;
  private final UpstreamMetrics metrics;
  private final JsonMapper json =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  OpenAiCompatibleClient(LlmProperties properties, Upstreams upstreams, UpstreamMetrics metrics) {
    this.properties = properties;
    this.upstreams = upstreams;
    this.metrics = metrics;
    // HTTP/1.1: one connection per stream, so a cancel closes exactly that stream's socket, and
    // no HTTP/2 per-connection stream limit caps thousands of concurrent generations.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(properties.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            // Response callbacks run here; virtual threads keep thousands of streams off a thread
            // pool.
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  @Override
  public ModelStream stream(Prompt prompt, String user) {
    return new HttpModelStream(this, prompt, user, Delivered.NOTHING);
  }

  @Override
  public ModelStream resume(Prompt prompt, String user, Delivered delivered) {
    return new HttpModelStream(this, prompt, user, delivered);
  }

  @Override
  public String name() {
    return properties.model();
  }

  LlmProperties properties() {
    return properties;
  }

  Upstreams upstreams() {
    return upstreams;
  }

  UpstreamMetrics metrics() {
    return metrics;
  }

  JsonMapper json() {
    return json;
  }

  /**
   * Sends one request to the upstream with the key; with a {@code prefix}, DeepSeek's chat prefix
   * completion continues that text.
   */
  HttpAttempt send(
      Upstream upstream, Upstream.Key key, Prompt prompt, String user, @Nullable String prefix) {
    var request =
        HttpRequest.newBuilder(prefix == null ? upstream.chat : upstream.prefixChat)
            .header("Authorization", "Bearer " + key.secret)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    json.writeValueAsBytes(body(upstream, prompt, user, prefix))))
            .build();
    return new HttpAttempt(http, request, json);
  }

  CompletionRequest body(Prompt prompt, String user) {
    return body(upstreams.all().getFirst(), prompt, user, null);
  }

  /**
   * The system prompt is the same bytes for every upstream and every attempt, so each host's prompt
   * cache (DeepSeek bills hits at a fraction) keeps hitting across failovers.
   */
  CompletionRequest body(Upstream upstream, Prompt prompt, String user, @Nullable String prefix) {
    var messages = new ArrayList<Message>(prompt.turns().size() + 2);
    messages.add(new Message("system", prompt.system(), null));
    for (var turn : prompt.turns()) {
      // Assistant turns go back as their content only: reasoning is never sent to the model again.
      messages.add(new Message(turn.role().name().toLowerCase(Locale.ROOT), turn.content(), null));
    }
    if (prefix != null) {
      messages.add(new Message("assistant", prefix, true));
    }
    var thinking =
        upstream.thinking == null ? null : new Thinking(upstream.thinking ? "enabled" : "disabled");
    return new CompletionRequest(
        upstream.model,
        messages,
        true,
        new StreamOptions(true),
        user,
        properties.maxTokens(),
        thinking,
        properties.reasoningEffort());
  }

  record CompletionRequest(
      String model,
      List<Message> messages,
      boolean stream,
      StreamOptions streamOptions,
      String user,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Integer maxTokens,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Thinking thinking,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String reasoningEffort) {}

  record Thinking(String type) {}

  record Message(
      String role,
      String content,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean prefix) {}

  record StreamOptions(boolean includeUsage) {}
}
