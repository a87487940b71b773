package tech.plumeintel.shuzhi.chat.llm;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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

  /** Parses the UTF-8 JSON in the first {@code length} bytes of {@code data}. */
  Chunk parse(byte[] data, int length) throws ModelException {
    // Streamed rather than read into a tree: this runs for every token, and the tree (a map per
    // object) was a large part of the worker's CPU and garbage per token (bench, JFR).
    try (JsonParser chunk = json.createParser(data, 0, length)) {
      if (chunk.nextToken() != JsonToken.START_OBJECT) {
        throw new ModelException(ModelException.Kind.MALFORMED, "chunk is not a JSON object");
      }
      var fields = new Fields();
      while (chunk.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = chunk.currentName();
        JsonToken value = chunk.nextToken();
        switch (name) {
          case "choices" -> choices(chunk, value, fields);
          case "usage" -> {
            if (value == JsonToken.START_OBJECT) {
              fields.usage = usage((JsonNode) chunk.readValueAsTree());
            } else {
              chunk.skipChildren();
            }
          }
          case "model" -> fields.model = text(chunk, value);
          case "error" ->
              // Some compatible servers report a failure mid-stream as {"error": {...}} on a data
              // line.
              throw new ModelException(
                  ModelException.Kind.REJECTED,
                  null,
                  "error in stream: " + describe(chunk.readValueAsTree()),
                  null);
          default -> chunk.skipChildren();
        }
      }
      return fields.chunk();
    } catch (JacksonException e) {
      throw new ModelException(ModelException.Kind.MALFORMED, null, "chunk is not JSON", null);
    }
  }

  /** What one chunk says, as its fields come by in whatever order. */
  private static final class Fields {
    @Nullable String reasoning;
    @Nullable String content;
    @Nullable String finishReason;
    @Nullable TokenUsage usage;
    @Nullable String model;

    Chunk chunk() {
      var events = new ArrayList<ModelEvent>(2);
      if (reasoning != null) {
        events.add(new ModelEvent.Reasoning(reasoning));
      }
      if (content != null) {
        events.add(new ModelEvent.Content(content));
      }
      if (finishReason != null) {
        events.add(new ModelEvent.Finished(finishReason));
      }
      if (usage != null) {
        events.add(new ModelEvent.Usage(usage));
      }
      return new Chunk(events, model);
    }
  }

  /** The first choice's delta texts and finish reason; other choices are skipped. */
  private static void choices(JsonParser chunk, JsonToken value, Fields fields) {
    if (value != JsonToken.START_ARRAY) {
      chunk.skipChildren();
      return;
    }
    boolean first = true;
    for (JsonToken element; (element = chunk.nextToken()) != JsonToken.END_ARRAY; first = false) {
      if (!first || element != JsonToken.START_OBJECT) {
        chunk.skipChildren();
        continue;
      }
      while (chunk.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = chunk.currentName();
        JsonToken field = chunk.nextToken();
        if (name.equals("finish_reason")) {
          fields.finishReason = text(chunk, field);
        } else if (name.equals("delta") && field == JsonToken.START_OBJECT) {
          while (chunk.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = chunk.currentName();
            JsonToken text = chunk.nextToken();
            switch (key) {
              case "reasoning_content" -> fields.reasoning = text(chunk, text);
              case "content" -> fields.content = text(chunk, text);
              default -> chunk.skipChildren();
            }
          }
        } else {
          chunk.skipChildren();
        }
      }
    }
  }

  static TokenUsage usage(JsonNode usage) {
    int prompt = usage.path("prompt_tokens").asInt(0);
    int hit =
        usage
            .path("prompt_cache_hit_tokens")
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
  static String describe(@Nullable JsonNode error) {
    if (error == null) {
      return "unspecified";
    }
    var type = error.path("type").asString("");
    var code = error.path("code").asString("");
    var text = (type + " " + code).strip();
    if (text.isEmpty()) {
      return "unspecified";
    }
    return text.length() <= 80 ? text : text.substring(0, 80);
  }

  /** A non-empty string value, else null (after skipping whatever else the value is). */
  private static @Nullable String text(JsonParser chunk, JsonToken value) {
    if (value != JsonToken.VALUE_STRING) {
      chunk.skipChildren();
      return null;
    }
    String text = chunk.getString();
    return text.isEmpty() ? null : text;
  }
}
