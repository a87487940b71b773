package tech.plumeintel.shuzhi.chat.moderation;

/**
 * The generated answer may not be shown: WeChat judged it risky ({@code CONTENT_REJECTED}), or
 * could not judge it under the fail-closed policy ({@code UPSTREAM_ERROR}). Thrown by {@link
 * ModeratedStream#next}; the stream ends with an error event carrying {@link #code()} and the
 * message, which is for the reader.
 */
public final class AnswerWithheld extends RuntimeException {

  private final String code;

  private AnswerWithheld(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static AnswerWithheld rejected() {
    return new AnswerWithheld("CONTENT_REJECTED", "回答包含不适宜的内容，已停止生成，请换个问题试试。");
  }

  static AnswerWithheld unchecked() {
    return new AnswerWithheld("UPSTREAM_ERROR", "内容安全检查暂时不可用，回答已停止，请稍后再试。");
  }

  /** The contract's error code for the stream's error event. */
  public String code() {
    return code;
  }
}
