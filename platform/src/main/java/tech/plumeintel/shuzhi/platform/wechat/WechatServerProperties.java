package tech.plumeintel.shuzhi.platform.wechat;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The mini-program's credentials and WeChat's API ({@code SHUZHI_WECHAT_*}), as the server-side
 * calls of every service see them.
 *
 * @param appId the mini-program's AppID (WeChat MP console); without it and the secret every login
 *     fails, unless the offline stand-in is on, and content security is off
 * @param appSecret the mini-program's AppSecret
 * @param baseUrl the WeChat API ({@code jscode2session}, {@code stable_token}, {@code
 *     msg_sec_check}); a stand-in in tests
 * @param connectTimeout TCP and TLS connect to WeChat
 * @param timeout a login's or a token's call to WeChat: the wait for a pooled connection, then for
 *     each read of the answer; content checks have {@code shuzhi.content-security.timeout}
 * @param refreshAhead how long before its expiry the shared access token is replaced; WeChat's
 *     stable token renews only in the last 5 minutes of a token's life (earlier calls return the
 *     same token), so this stays under 5 minutes
 * @param refreshWait how long an instance waits for another one's refresh before giving up
 */
@ConfigurationProperties("shuzhi.wechat")
public record WechatServerProperties(
    @Nullable String appId,
    @Nullable String appSecret,
    @DefaultValue("https://api.weixin.qq.com") URI baseUrl,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("4s") Duration timeout,
    @DefaultValue("3m") Duration refreshAhead,
    @DefaultValue("5s") Duration refreshWait) {

  public boolean hasCredentials() {
    return appId != null && !appId.isBlank() && appSecret != null && !appSecret.isBlank();
  }

  String endpoint(String path) {
    return baseUrl.toString().replaceAll("/+$", "") + path;
  }
}
