package tech.plumeintel.shuzhi.common.chat;

/**
 * The wire form of a JSON string in a chat stream's {@code data:}: ASCII only, every other
 * character (an emoji as its two surrogates) written as {@code \}{@code uXXXX} in upper-case hex.
 * The mini-program has no streaming UTF-8 decoder, so a character split across two network reads
 * must not exist. Both sides that write stream JSON (the worker's chunks and errors, the API's own
 * errors) escape through here, so a client sees one form.
 *
 * <p>The output is byte for byte what Jackson 3 writes with {@code ESCAPE_NON_ASCII} and its
 * defaults ({@code WRITE_HEX_UPPER_CASE} on, {@code ESCAPE_FORWARD_SLASHES} off): short escapes for
 * {@code " \ \b \t \f \n \r}, DEL as is. Written by hand because it runs for every token.
 */
public final class AsciiJson {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private AsciiJson() {}

  /** Appends {@code value} as a quoted JSON string. */
  public static StringBuilder appendString(StringBuilder out, String value) {
    out.append('"');
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
        out.append(c);
        continue;
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case 0x7F -> out.append(c);
        default ->
            out.append("\\u")
                .append(HEX[c >> 12])
                .append(HEX[(c >> 8) & 0xF])
                .append(HEX[(c >> 4) & 0xF])
                .append(HEX[c & 0xF]);
      }
    }
    return out.append('"');
  }
}
