package tech.plumeintel.shuzhi.chat.stream;

import tech.plumeintel.shuzhi.common.chat.AsciiJson;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/**
 * Renders frame payloads exactly as the client sees them in {@code data:}: OpenAI {@code
 * chat.completion.chunk} objects and {@code {"code","message"}} errors, as ASCII-only JSON. The
 * strings are escaped by {@link AsciiJson}, the one wire form of stream JSON.
 *
 * <p>Written by hand rather than with a JSON mapper: a chunk is rendered for every token, and the
 * mapper's records, generator and escaping tables were a large part of the worker's CPU per token
 * (bench, JFR). The output is byte for byte what Jackson wrote with {@code ESCAPE_NON_ASCII} (the
 * tests compare the two).
 */
public final class ChunkRenderer {

  private final String head;
  private String model = "";
  private String modelHead = "";

  /**
   * Whether a chunk with {@code "role":"assistant"} has been rendered: OpenAI's first delta carries
   * the role, and clients key on it, whether the stream starts with thinking, text or its end.
   */
  private boolean roleSent;

  /**
   * @param requestId the chunks' {@code id}: the stream's request id, which the client knows
   * @param created the chunks' {@code created}, epoch seconds
   */
  public ChunkRenderer(String requestId, long created) {
    var text = new StringBuilder(96).append("{\"id\":");
    AsciiJson.appendString(text, requestId);
    this.head =
        text.append(",\"object\":\"chat.completion.chunk\",\"created\":")
            .append(created)
            .append(",\"model\":")
            .toString();
  }

  public String content(String model, String text) {
    roleSent = true;
    var chunk =
        start(model, text.length())
            .append(",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":");
    AsciiJson.appendString(chunk, text);
    return chunk.append("},\"finish_reason\":null}]}").toString();
  }

  public String reasoning(String model, String text) {
    var chunk =
        start(model, text.length())
            .append(",\"choices\":[{\"index\":0,\"delta\":{")
            .append(role())
            .append("\"reasoning_content\":");
    AsciiJson.appendString(chunk, text);
    return chunk.append("},\"finish_reason\":null}]}").toString();
  }

  /**
   * The last choice chunk: an empty delta (but for the role, when nothing came before) and why the
   * answer ended ({@code cancelled} on stop).
   */
  public String finish(String model, String reason) {
    var chunk =
        start(model, reason.length())
            .append(",\"choices\":[{\"index\":0,\"delta\":{")
            .append(roleSent ? "" : "\"role\":\"assistant\"")
            .append("},\"finish_reason\":");
    roleSent = true;
    AsciiJson.appendString(chunk, reason);
    return chunk.append("}]}").toString();
  }

  public String usage(String model, TokenUsage usage) {
    return start(model, 200)
        .append(",\"choices\":[],\"usage\":{\"prompt_tokens\":")
        .append(usage.promptTokens())
        .append(",\"completion_tokens\":")
        .append(usage.completionTokens())
        .append(",\"total_tokens\":")
        .append(usage.promptTokens() + usage.completionTokens())
        .append(",\"completion_tokens_details\":{\"reasoning_tokens\":")
        .append(usage.reasoningTokens())
        .append("},\"prompt_cache_hit_tokens\":")
        .append(usage.cacheHitTokens())
        .append(",\"prompt_cache_miss_tokens\":")
        .append(usage.cacheMissTokens())
        .append("}}")
        .toString();
  }

  /** The payload of an ERROR frame. */
  public static String error(String code, String message) {
    return StreamFrame.errorPayload(code, message);
  }

  /** The role member with its comma, once per stream, in the first chunk. */
  private String role() {
    if (roleSent) {
      return "";
    }
    roleSent = true;
    return "\"role\":\"assistant\",";
  }

  /** The chunk up to its model; the model's rendering is kept, as it rarely changes in a stream. */
  private StringBuilder start(String model, int textLength) {
    if (!model.equals(this.model)) {
      var text = new StringBuilder(head.length() + model.length() + 2).append(head);
      AsciiJson.appendString(text, model);
      this.modelHead = text.toString();
      this.model = model;
    }
    return new StringBuilder(modelHead.length() + 80 + textLength * 2).append(modelHead);
  }
}
