package tech.plumeintel.shuzhi.platform.wechat;

/** Judges one piece of text of at most {@link ContentSecurity#MAX_CHARS} characters. */
@FunctionalInterface
interface TextChecker {

  /**
   * @throws WechatCallException when no verdict could be had
   */
  Verdict check(String openid, int scene, String text);
}
