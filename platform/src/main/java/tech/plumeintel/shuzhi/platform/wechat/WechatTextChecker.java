package tech.plumeintel.shuzhi.platform.wechat;

import java.time.Duration;

/**
 * {@code msg_sec_check} with the shared token and at most one retry: after WeChat rejected the
 * token (one forced refresh, shared by all instances) or after a transient failure (busy, timeout,
 * 5xx, a broken connection). A rate limit ({@code 45009}) is not retried: retrying is what it
 * forbids.
 */
final class WechatTextChecker implements TextChecker {

  private final WechatServerApi wechat;
  private final SharedAccessToken token;
  private final Duration timeout;

  WechatTextChecker(WechatServerApi wechat, SharedAccessToken token, Duration timeout) {
    this.wechat = wechat;
    this.token = token;
    this.timeout = timeout;
  }

  @Override
  public Verdict check(String openid, int scene, String text) {
    var used = token.current();
    try {
      return wechat.msgSecCheck(used, openid, scene, text, timeout);
    } catch (WechatCallException e) {
      if (e.tokenRejected()) {
        return wechat.msgSecCheck(token.replace(used), openid, scene, text, timeout);
      }
      if (e.transientFailure()) {
        return wechat.msgSecCheck(used, openid, scene, text, timeout);
      }
      throw e;
    }
  }
}
