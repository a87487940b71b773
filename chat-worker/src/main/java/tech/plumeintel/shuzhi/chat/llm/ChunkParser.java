package tech.plumeintel.shuzhi.chat.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads one OpenAI {@code chat.completion.chunk} into events. Handles DeepSeek's shapes: a first
 * delta with the role and empty texts, {@code reasoning_content} apart from {@code content}, the
 * finish reason and the usage in one last chunk (or usage alone with {@code "choices": []}, as
 * {@code stream_options.include_usage} asks of OpenAI), and DeepSeek's cache hit/miss counts.
 */
final class ChunkParser {

  private final JsonMapper json;

  ChunkParser(JsonMapper json) {
    this.json = json;
  }

  /** A parsed chunk: its events and the model it names, if any. */
  record Chunk(List<ModelEvent> events, @Nullable String model) {}

  Chunk parse(String data) throws ModelException {
    JsonNode chunk;
    try {
      chunk = json.readTree(data);
    } catch (JacksonException e) {
      throw new ModelException(ModelException.Kind.MALFORMED, null, "chunk is not JSON", null);
    }
    if (!chunk.isObject()) {
      throw new ModelException(ModelException.Kind.MALFORMED, "chunk is not a JSON object");
    }
    if (chunk.has("error")) {
      // Some compatible servers report a failure mid-stream as {"error": {...}} on a data line.
      throw new ModelException(ModelException.Kind.REJECTED, null,
          "error in stream: " + describe(chunk.path("error")), null);
    }
    var events = new ArrayList<ModelEvent>(2);
    JsonNode choice = chunk.path("choices").path(0);
    JsonNode delta = choice.path("delta");
    text(delta, "reasoning_content").ifPresent(text -> events.add(new ModelEvent.Reasoning(text)));
    text(delta, "content").ifPresent(text -> events.add(new ModelEvent.Content(text)));
    text(choice, "finish_reason").ifPresent(reason -> events.add(new ModelEvent.Finished(reason)));
    JsonNode usage = chunk.path("usage");
    if (usage.isObject()) {
      events.add(new ModelEvent.Usage(usage(usage)));
    }
    String model = text(chunk, "model").orElse(null);
    return new Chunk(events, model);
  }

  static TokenUsage usage(JsonNode usage) {
    int prompt = usage.path("prompt_tokens").asInt(0);
    int hit = usage.path("prompt_cache_hit_tokens")
        .asInt(usage.path("prompt_tokens_details").path("cached_tokens").asInt(0));
    int miss = usage.path("prompt_cache_miss_tokens").asInt(prompt - hit);
    return new TokenUsage(
        prompt,
        usage.path("completion_tokens").asInt(0),
        usage.path("completion_tokens_details").path("reasoning_tokens").asInt(0),
        hit,
        miss);
  }

  /** The error's type and code only: some providers echo part of the key in their messages. */
  static String describe(JsonNode error) {
    var type = error.path("type").asString("");
    var code = error.path("code").asString("");
    var text = (type + " " + code).strip();
    if (text.isEmpty()) {
      return "unspecified";
    }
    return text.length() <= 80 ? text : text.substring(0, 80);
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isString() || value.asString().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(value.asString());
  }
}
