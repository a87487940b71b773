package tech.plumeintel.shuzhi.platform.wechat;

/** What a content-security check concluded about a text. */
public sealed interface Verdict {

  /** WeChat's {@code suggest: pass}. */
  record Pass() implements Verdict {}

  /** WeChat's {@code suggest: review}: allowed, and recorded with WeChat's label. */
  record Review(int label) implements Verdict {}

  /** WeChat's {@code suggest: risky}: refused. */
  record Risky(int label) implements Verdict {}

  /**
   * WeChat did not answer the check ({@code -1}, a timeout, a 5xx, {@code 45009}…): the failure
   * policy decides.
   */
  record Unchecked(String reason) implements Verdict {}

  Pass PASS = new Pass();

  /**
   * The worse of two verdicts on parts of one text: risky, then unchecked, then review, then pass.
   */
  static Verdict worse(Verdict a, Verdict b) {
    return rank(b) > rank(a) ? b : a;
  }

  /** The verdict's name as metrics tag it. */
  default String tag() {
    return switch (this) {
      case Pass ignored -> "pass";
      case Review ignored -> "review";
      case Risky ignored -> "risky";
      case Unchecked ignored -> "unchecked";
    };
  }

  private static int rank(Verdict verdict) {
    return switch (verdict) {
      case Pass ignored -> 0;
      case Review ignored -> 1;
      case Unchecked ignored -> 2;
      case Risky ignored -> 3;
    };
  }
}
