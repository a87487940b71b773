package tech.plumeintel.shuzhi.platform.wechat;

/**
 * OFFLINE STAND-IN for the local run without WeChat credentials: every text passes except one that
 * contains the configured test phrase ({@code shuzhi.content-security.offline-risky-phrase},
 * default {@code 内容安全测试}), which is risky, so the refusal paths can be tried by hand.
 */
final class OfflineTextChecker implements TextChecker {

  /** WeChat's label for "other" risky content. */
  static final int LABEL = 21000;

  private final String riskyPhrase;

  OfflineTextChecker(String riskyPhrase) {
    this.riskyPhrase = riskyPhrase;
  }

  @Override
  public Verdict check(String openid, int scene, String text) {
    return !riskyPhrase.isEmpty() && text.contains(riskyPhrase)
        ? new Verdict.Risky(LABEL)
        : Verdict.PASS;
  }
}
