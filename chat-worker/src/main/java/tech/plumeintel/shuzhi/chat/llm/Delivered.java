package tech.plumeintel.shuzhi.chat.llm;

/**
 * What the reader has been shown of an answer before its generation broke off (another worker's,
 * read back from the stream's log): the answer's text, and whether thinking was shown.
 *
 * @param content the answer text delivered, exactly
 * @param thinking whether any thinking was delivered
 */
public record Delivered(String content, boolean thinking) {

  /** A generation that starts afresh. */
  public static final Delivered NOTHING = new Delivered("", false);

  public boolean anything() {
    return thinking || !content.isEmpty();
  }
}
