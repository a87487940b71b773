package tech.plumeintel.shuzhi.api.auth;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ErrorCode;
import tech.plumeintel.shuzhi.platform.wechat.WechatCallException;
import tech.plumeintel.shuzhi.platform.wechat.WechatServerApi;

/**
 * A login code exchanged at WeChat ({@code sns/jscode2session}, through the services' one WeChat
 * client), its refusals turned into the API's answers. A code is single-use, so a failed exchange
 * is never retried with it.
 */
final class JscodeToSession implements CodeExchange {

  private static final Logger log = LoggerFactory.getLogger(JscodeToSession.class);

  private final WechatServerApi wechat;

  JscodeToSession(WechatServerApi wechat) {
    this.wechat = wechat;
  }

  @Override
  public WechatIdentity exchange(String code) {
    WechatServerApi.Session session;
    try {
      session = wechat.jscode2session(code);
    } catch (WechatCallException e) {
      throw e.errcode() != 0 ? refusal(e.errcode()) : unavailable(e);
    }
    return new WechatIdentity(session.openid(), session.unionid());
  }

  private static ApiException refusal(int errcode) {
    return switch (errcode) {
      case 40029, 40163 -> ApiException.unauthorized("登录凭证无效或已被使用，请重新登录");
      case 40226 -> ApiException.unauthorized("微信判定该账号存在风险，暂时无法登录");
      case 45011 -> ApiException.rateLimited("登录太频繁，请稍后再试", Duration.ofSeconds(60));
      default -> {
        // -1 is WeChat being busy; other codes (bad app id or secret) are our configuration.
        log.warn("WeChat refused jscode2session with errcode {}", errcode);
        yield unavailable();
      }
    };
  }

  private static ApiException unavailable(WechatCallException failure) {
    // The message names the call and what failed, never the code or the secret.
    log.warn("WeChat login failed: {}", failure.getMessage());
    return unavailable();
  }

  private static ApiException unavailable() {
    return new ApiException(ErrorCode.UPSTREAM_ERROR, "微信登录服务暂时不可用，请稍后再试");
  }
}
