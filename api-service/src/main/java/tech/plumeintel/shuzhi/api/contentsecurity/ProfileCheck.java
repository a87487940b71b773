package tech.plumeintel.shuzhi.api.contentsecurity;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.platform.wechat.CheckTarget;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurity;

/**
 * Checks a profile before it is stored: the nickname with WeChat's profile scene (1), the avatar
 * URL's host against {@code shuzhi.content-security.avatar-hosts} (an image from anywhere else is
 * not something WeChat checked, nor something we can; its text check has nothing to read).
 */
@Component
public class ProfileCheck {

  static final String REFUSAL = "昵称包含不适宜的内容，请修改后再试";

  private final ReaderTextCheck check;
  private final Set<String> avatarHosts;

  ProfileCheck(ReaderTextCheck check, ContentSecurity security) {
    this.check = check;
    this.avatarHosts =
        security.properties().avatarHosts().stream()
            .map(host -> host.strip().toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * @throws ApiException {@code INVALID_PARAMS} for an avatar on another host, {@code
   *     CONTENT_REJECTED} for a risky nickname, {@code UPSTREAM_ERROR} when WeChat could not judge
   *     it and the policy is fail-closed
   */
  public void requireAllowed(String userId, String nickname, String avatarUrl) {
    if (!check.enabled()) {
      return;
    }
    if (!avatarUrl.isEmpty() && !avatarHosts.contains(host(avatarUrl))) {
      throw ApiException.invalid("头像地址不在允许的范围内");
    }
    check.require(CheckTarget.PROFILE, userId, ContentSecurity.PROFILE_SCENE, nickname, REFUSAL);
  }

  private static String host(String url) {
    try {
      var host = URI.create(url).getHost();
      return host == null ? "" : host.toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }
}
