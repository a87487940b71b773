package tech.plumeintel.shuzhi.common.chat;

import java.util.Locale;

/**
 * One frame of a chat stream as it travels through Redis, encoded as {@code "<seq> <kind>
 * <payload>"}. The worker renders the payload exactly as the client will see it (ASCII-only JSON),
 * so the API relays it without parsing.
 *
 * @param seq the event id the client sees; 1, 2, 3 … in a stream; 0 for heartbeats, which are not
 *     logged
 * @param payload for {@link Kind#CHUNK} an OpenAI {@code chat.completion.chunk}; for {@link
 *     Kind#ERROR} an {@link #errorPayload}; for {@link Kind#RESET} {@code {"reset":true}}; empty
 *     otherwise
 */
public record StreamFrame(long seq, Kind kind, String payload) {

  /** What a frame says. */
  public enum Kind {
    /** A delta (content, reasoning, or usage) in the OpenAI chunk shape. */
    CHUNK,
    /** The generation failed; the stream ends. */
    ERROR,
    /** The generation ended normally; the stream ends. */
    DONE,
    /** The worker is still alive; live only, never logged. */
    HEARTBEAT,
    /**
     * The answer starts over (the model broke off while thinking, or its upstream could not
     * continue the text): the client drops what it has shown of this answer; chunks that follow
     * carry the new one. Payload {@link #RESET_PAYLOAD}.
     */
    RESET;

    private static final Kind[] ALL = values();

    /** The kind's word in an encoded frame. */
    private final String word = name().toLowerCase(Locale.ROOT);

    public boolean endsStream() {
      return this == ERROR || this == DONE;
    }

    /** The kind named by {@code text[from, to)}, in any case; read for every relayed frame. */
    private static Kind named(String text, int from, int to) {
      for (var kind : ALL) {
        if (kind.word.length() == to - from
            && text.regionMatches(true, from, kind.word, 0, to - from)) {
          return kind;
        }
      }
      throw new IllegalArgumentException("not a stream frame kind");
    }
  }

  public static StreamFrame chunk(long seq, String json) {
    return new StreamFrame(seq, Kind.CHUNK, json);
  }

  public static StreamFrame error(long seq, String json) {
    return new StreamFrame(seq, Kind.ERROR, json);
  }

  /**
   * The payload of an {@link Kind#ERROR} frame, whoever ends the stream (the worker, or the API
   * when no worker answers): {@code code} and {@code message}, and the same again as OpenAI's
   * {@code error} member, which OpenAI-style SDKs raise on ({@code
   * {"code","message","error":{"code","message","type"}}}), as {@link AsciiJson} writes it.
   */
  public static String errorPayload(String code, String message) {
    var json = new StringBuilder(96 + 2 * code.length() + message.length() * 12);
    json.append("{\"code\":");
    AsciiJson.appendString(json, code).append(",\"message\":");
    AsciiJson.appendString(json, message).append(",\"error\":{\"code\":");
    AsciiJson.appendString(json, code).append(",\"message\":");
    AsciiJson.appendString(json, message).append(",\"type\":");
    return AsciiJson.appendString(json, openAiType(code)).append("}}").toString();
  }

  /** OpenAI's error types: the reader's own request at fault, or the service. */
  private static String openAiType(String code) {
    return switch (code) {
      case "CONTENT_REJECTED", "INVALID_PARAMS" -> "invalid_request_error";
      case "RATE_LIMIT" -> "rate_limit_error";
      default -> "server_error";
    };
  }

  public static StreamFrame done(long seq) {
    return new StreamFrame(seq, Kind.DONE, "");
  }

  /** The data of a reset event, as the client sees it. */
  public static final String RESET_PAYLOAD = "{\"reset\":true}";

  public static StreamFrame reset(long seq) {
    return new StreamFrame(seq, Kind.RESET, RESET_PAYLOAD);
  }

  public static StreamFrame heartbeat() {
    return new StreamFrame(0, Kind.HEARTBEAT, "");
  }

  public String encode() {
    return seq + " " + kind.word + " " + payload;
  }

  /**
   * @throws IllegalArgumentException when the text is not an encoded frame
   */
  public static StreamFrame decode(String encoded) {
    int first = encoded.indexOf(' ');
    int second = first < 0 ? -1 : encoded.indexOf(' ', first + 1);
    if (second < 0) {
      throw new IllegalArgumentException("not a stream frame");
    }
    long seq = Long.parseLong(encoded, 0, first, 10);
    var kind = Kind.named(encoded, first + 1, second);
    return new StreamFrame(seq, kind, encoded.substring(second + 1));
  }
}
