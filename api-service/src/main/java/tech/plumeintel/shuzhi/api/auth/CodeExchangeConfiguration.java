package tech.plumeintel.shuzhi.api.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ErrorCode;
import tech.plumeintel.shuzhi.platform.OfflineStandIns;
import tech.plumeintel.shuzhi.platform.wechat.WechatServerApi;
import tech.plumeintel.shuzhi.platform.wechat.WechatServerProperties;

/**
 * Real WeChat when configured; the offline stand-in only without credentials, in the local profile
 * and with {@code SHUZHI_OFFLINE_STANDINS=true} (see {@link OfflineStandIns}).
 */
@Configuration(proxyBeanMethods = false)
class CodeExchangeConfiguration {

  private static final Logger log = LoggerFactory.getLogger(CodeExchangeConfiguration.class);

  @Bean
  CodeExchange codeExchange(
      WechatServerProperties properties, WechatServerApi wechat, Environment environment) {
    if (properties.hasCredentials()) {
      return new JscodeToSession(wechat);
    }
    if (OfflineStandIns.allowed(environment)) {
      log.warn(
          "OFFLINE LOGIN STAND-IN ACTIVE: no WeChat credentials, local profile and"
              + " SHUZHI_OFFLINE_STANDINS=true; any code logs in");
      return new OfflineCodeExchange();
    }
    if (environment.acceptsProfiles(Profiles.of("local"))) {
      log.error(
          "Local profile without WeChat credentials, but SHUZHI_OFFLINE_STANDINS is not true: no"
              + " offline login stand-in, every login will fail");
    } else {
      log.error(
          "SHUZHI_WECHAT_APP_ID / SHUZHI_WECHAT_APP_SECRET are not set: every login will fail");
    }
    return code -> {
      throw new ApiException(ErrorCode.UPSTREAM_ERROR, "微信登录尚未配置，请联系管理员");
    };
  }
}
