package tech.plumeintel.shuzhi.api.auth;

import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Makes the HMAC key from {@code SHUZHI_JWT_SECRET}. Outside the local profile a missing, weak or
 * published secret stops the service from starting: tokens signed with a guessable key are
 * forgeable by anyone.
 */
final class SigningKeyFactory {

  static final int MIN_SECRET_BYTES = 32;
  private static final Logger log = LoggerFactory.getLogger(SigningKeyFactory.class);

  /**
   * Secrets that stand in this repository's history (the compose file's development fallback, the
   * tests' former fixed secrets): anyone who read it could mint tokens with them, so they are as
   * good as none outside the local profile, whatever their length.
   */
  static final Set<String> PUBLISHED_SECRETS =
      Set.of(
          "compose-dev-only-jwt-secret-change-me-0123456789",
          "integration-tests-jwt-secret-never-logged-0123456789",
          "system-tests-jwt-secret-never-logged-0123456789");

  private static final String HOW_TO_MAKE_ONE =
      " Make one with `openssl rand -base64 48` and set it in the environment of every API"
          + " instance (the same value for all).";

  private SigningKeyFactory() {}

  static SecretKey signingKey(JwtProperties properties, Environment environment) {
    var secret = properties.secret();
    var bytes = secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    var local = environment.acceptsProfiles(Profiles.of("local"));
    if (!local && secret != null && PUBLISHED_SECRETS.contains(secret.strip())) {
      throw new IllegalStateException(
          "SHUZHI_JWT_SECRET is a development secret published in this repository: anyone could"
              + " sign tokens with it, so it is accepted in the local profile only."
              + HOW_TO_MAKE_ONE);
    }
    if (bytes.length >= MIN_SECRET_BYTES && !isOneRepeatedCharacter(bytes)) {
      return Keys.hmacShaKeyFor(bytes);
    }
    if (local) {
      log.warn(
          "No usable SHUZHI_JWT_SECRET: local profile, so tokens are signed with a random key "
              + "that lasts until this process stops");
      var random = new byte[MIN_SECRET_BYTES];
      new SecureRandom().nextBytes(random);
      return Keys.hmacShaKeyFor(random);
    }
    throw new IllegalStateException(
        "SHUZHI_JWT_SECRET must be set to a random secret of at least "
            + MIN_SECRET_BYTES
            + " bytes."
            + HOW_TO_MAKE_ONE);
  }

  private static boolean isOneRepeatedCharacter(byte[] bytes) {
    var first = bytes[0];
    return Arrays.stream(new String(bytes, StandardCharsets.ISO_8859_1).split(""))
        .allMatch(c -> c.charAt(0) == (char) (first & 0xff));
  }
}
