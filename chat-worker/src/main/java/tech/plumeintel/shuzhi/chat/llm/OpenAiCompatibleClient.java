package tech.plumeintel.shuzhi.chat.llm;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams chat completions from any OpenAI-compatible endpoint ({@code POST
 * {base}/chat/completions}, {@code stream: true}, usage included). Built on Apache HttpClient's
 * classic client with a small SSE reader rather than an SDK: the worker needs exactly one call,
 * DeepSeek's {@code reasoning_content} (which the OpenAI SDK does not model), and prompt
 * cancellation by closing the connection. Each exchange reads on a virtual thread of its own. Which
 * upstream a request goes to, and when another is asked, is {@link HttpModelStream}'s business;
 * this class builds the requests.
 *
 * <p>Not the JDK's own client: it hands each exchange between its selector thread and an executor,
 * and in the bench the model request to the first token decoded took 1.50 ms p50 through it, twice
 * the bench's whole direct call to the same stand-in (0.74 ms). HTTP/1.1 only: one connection per
 * stream, so a cancel closes exactly that stream's socket, and no HTTP/2 per-connection stream
 * limit caps thousands of concurrent generations.
 */
final class OpenAiCompatibleClient implements ChatModel, AutoCloseable {

  /**
   * Tokens are a few hundred bytes; at the client's default of 8 KB per direction, 2,000 slow
   * streams would pin 32 MB of buffers.
   */
  private static final int CONNECTION_BUFFER = 2_048;

  /** Kept-alive connections an upstream has not used for this long are closed. */
  private static final TimeValue IDLE_CONNECTIONS_KEPT = TimeValue.ofSeconds(30);

  private final CloseableHttpClient http;
  private final RequestConfig requests;
  private final ThreadFactory exchanges = Thread.ofVirtual().name("model-exchange-", 0).factory();
  private final LlmProperties properties;
  private final Upstreams upstreams;
  private final UpstreamMetrics metrics;
  private final JsonMapper json =
      JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();

  OpenAiCompatibleClient(LlmProperties properties, Upstreams upstreams, UpstreamMetrics metrics) {
    this.properties = properties;
    this.upstreams = upstreams;
    this.metrics = metrics;
    // Every stream holds a connection, and a finished one lingers until its body ends.
    int connections = 2 * properties.maxConcurrentStreams();
    this.http =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(connections)
                    .setMaxConnPerRoute(connections)
                    .setConnectionFactory(
                        ManagedHttpClientConnectionFactory.builder()
                            .http1Config(
                                Http1Config.custom().setBufferSize(CONNECTION_BUFFER).build())
                            .build())
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(properties.connectTimeout()))
                            .build())
                    .build())
            // A failed attempt is HttpModelStream's to fail over or retry, with the breaker told.
            .disableAutomaticRetries()
            .disableRedirectHandling()
            // A compressed event stream would be decoded in blocks, holding tokens back.
            .disableContentCompression()
            .disableCookieManagement()
            .disableAuthCaching()
            .evictIdleConnections(IDLE_CONNECTIONS_KEPT)
            .build();
    // The stream enforces the first-token, idle and total timeouts and aborts the exchange; the
    // total one here only bounds a read nobody waits for any more.
    this.requests =
        RequestConfig.custom()
            .setConnectionRequestTimeout(Timeout.of(properties.connectTimeout()))
            .setResponseTimeout(Timeout.of(properties.totalTimeout()))
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
    var request = new HttpPost(prefix == null ? upstream.chat : upstream.prefixChat);
    request.setConfig(requests);
    request.setHeader("Authorization", "Bearer " + key.secret);
    request.setHeader("Accept", "text/event-stream");
    request.setEntity(
        new ByteArrayEntity(
            json.writeValueAsBytes(body(upstream, prompt, user, prefix)),
            ContentType.APPLICATION_JSON));
    return new HttpAttempt(http, request, json, exchanges);
  }

  @Override
  public void close() {
    http.close(CloseMode.IMMEDIATE);
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
