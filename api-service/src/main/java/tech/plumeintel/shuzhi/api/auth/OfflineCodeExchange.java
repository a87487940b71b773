package tech.plumeintel.shuzhi.api.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * OFFLINE STAND-IN for the local run without WeChat credentials: any code logs in, and the same
 * code is always the same reader (so a developer can be several readers). {@link
 * CodeExchangeConfiguration} never picks it when credentials are set or outside the {@code local}
 * profile.
 */
final class OfflineCodeExchange implements CodeExchange {

  static final String OPENID_PREFIX = "offline-";

  @Override
  public WechatIdentity exchange(String code) {
    try {
      var digest =
          MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.UTF_8));
      return new WechatIdentity(OPENID_PREFIX + HexFormat.of().formatHex(digest, 0, 12), null);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
