package tech.plumeintel.shuzhi.chat.llm;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
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
 * connection, and no extra thread per stream.
 */
final class OpenAiCompatibleClient implements ChatModel {

  private final HttpClient http;
  private final LlmProperties properties;
  private final URI endpoint;
  private final JsonMapper json =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  OpenAiCompatibleClient(LlmProperties properties) {
    this.properties = properties;
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
    var base = properties.baseUrl().toString();
    this.endpoint = URI.create((base.endsWith("/") ? base : base + "/") + "chat/completions");
  }

  @Override
  public ModelStream stream(Prompt prompt, String user) {
    var request =
        HttpRequest.newBuilder(endpoint)
            .header("Authorization", "Bearer " + properties.apiKey())
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream")
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body(prompt, user))))
            .build();
    return new HttpModelStream(http, request, properties, json);
  }

  @Override
  public String name() {
    return properties.model();
  }

  CompletionRequest body(Prompt prompt, String user) {
    var messages = new ArrayList<Message>(prompt.turns().size() + 1);
    messages.add(new Message("system", prompt.system()));
    for (var turn : prompt.turns()) {
      // Assistant turns go back as their content only: reasoning is never sent to the model again.
      messages.add(new Message(turn.role().name().toLowerCase(Locale.ROOT), turn.content()));
    }
    var thinking =
        properties.thinking() == null
            ? null
            : new Thinking(properties.thinking() ? "enabled" : "disabled");
    return new CompletionRequest(
        properties.model(),
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

  record Message(String role, String content) {}

  record StreamOptions(boolean includeUsage) {}
}
