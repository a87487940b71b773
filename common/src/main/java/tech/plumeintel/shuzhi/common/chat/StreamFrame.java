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
 *     Kind#ERROR} a {@code {"code","message"}} object; for {@link Kind#RESET} {@code
 *     {"reset":true}}; empty otherwise
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

    public boolean endsStream() {
      return this == ERROR || this == DONE;
    }
  }

  public static StreamFrame chunk(long seq, String json) {
    return new StreamFrame(seq, Kind.CHUNK, json);
  }

  public static StreamFrame error(long seq, String json) {
    return new StreamFrame(seq, Kind.ERROR, json);
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
    return seq + " " + kind.name().toLowerCase(Locale.ROOT) + " " + payload;
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
    var kind = Kind.valueOf(encoded.substring(first + 1, second).toUpperCase(Locale.ROOT));
    return new StreamFrame(seq, kind, encoded.substring(second + 1));
  }
}
