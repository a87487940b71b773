package tech.plumeintel.shuzhi.api.book;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Signs and verifies cover links: {@code /api/books/{isbn}/cover/?exp=<epoch seconds>&sig=<HMAC>}
 * with HMAC-SHA256 over the ISBN-13 and the expiry. Verified from the link alone (no store), by
 * every API instance that shares the secret. The key is derived from the JWT secret (or the link's
 * own secret) with a fixed label, so a link's signature is never a valid token signature.
 */
@Component
public class CoverUrls {

  private static final String ALGORITHM = "HmacSHA256";
  private static final long DAY_SECONDS = Duration.ofDays(1).toSeconds();

  private final SecretKeySpec key;
  private final Duration lifetime;
  private final Clock clock;

  /**
   * @param jwtSecret read as a property, not through auth's {@code JwtProperties}: auth depends on
   *     the reader's account, which shows books, so book depending on auth would close a cycle
   */
  CoverUrls(
      CoverUrlProperties properties,
      @Value("${shuzhi.jwt.secret:#{null}}") @Nullable String jwtSecret,
      Clock clock) {
    this.key = new SecretKeySpec(derive(secretOf(properties, jwtSecret)), ALGORITHM);
    this.lifetime = properties.lifetime();
    this.clock = clock;
  }

  /** The link's path and query, to be resolved against the API's address. */
  public String signedPath(String isbn13) {
    var earliest = clock.instant().plus(lifetime).getEpochSecond();
    var expiry = Math.ceilDiv(earliest, DAY_SECONDS) * DAY_SECONDS;
    return "/api/books/" + isbn13 + "/cover/?exp=" + expiry + "&sig=" + sign(isbn13, expiry);
  }

  /** True when the link was signed by us for this ISBN and has not expired. */
  boolean verify(String isbn13, @Nullable String exp, @Nullable String sig) {
    if (exp == null
        || sig == null
        || exp.length() > 19
        || !exp.chars().allMatch(Character::isDigit)) {
      return false;
    }
    var expiry = Long.parseLong(exp);
    if (expiry < clock.instant().getEpochSecond()) {
      return false;
    }
    // Constant time: a byte-by-byte early exit would let a caller guess the signature.
    return MessageDigest.isEqual(
        sign(isbn13, expiry).getBytes(StandardCharsets.US_ASCII),
        sig.getBytes(StandardCharsets.US_ASCII));
  }

  private String sign(String isbn13, long expiry) {
    try {
      var mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      var digest = mac.doFinal((isbn13 + "\n" + expiry).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
    }
  }

  private static byte[] secretOf(CoverUrlProperties properties, @Nullable String jwtSecret) {
    var secret = properties.secret() != null ? properties.secret() : jwtSecret;
    if (secret == null || secret.isBlank()) {
      // Only the local profile gets here (the JWT signing key refuses to start without a secret
      // elsewhere): links then last as long as this process, as its tokens do.
      var random = new byte[32];
      new SecureRandom().nextBytes(random);
      return random;
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] derive(byte[] secret) {
    try {
      var mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      return mac.doFinal("shuzhi cover links v1".getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
    }
  }
}
