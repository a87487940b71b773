package tech.plumeintel.shuzhi.api.auth;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** The mini-program's credentials and WeChat's API ({@code SHUZHI_WECHAT_*}). */
@ConfigurationProperties("shuzhi.wechat")
public record WechatProperties(
    @Nullable String appId,
    @Nullable String appSecret,
    @DefaultValue("https://api.weixin.qq.com") URI baseUrl,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("4s") Duration timeout) {

  boolean hasCredentials() {
    return appId != null && !appId.isBlank() && appSecret != null && !appSecret.isBlank();
  }
}
