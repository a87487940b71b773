package tech.plumeintel.shuzhi.api.auth;

/** Turns a {@code wx.login} code into the reader's WeChat identity. */
interface CodeExchange {

  /**
   * @throws tech.plumeintel.shuzhi.api.web.ApiException for a bad code (401), WeChat's rate limit
   *     (429) or WeChat being unavailable (503)
   */
  WechatIdentity exchange(String code);
}
