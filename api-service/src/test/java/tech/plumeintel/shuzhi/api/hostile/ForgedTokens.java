package tech.plumeintel.shuzhi.api.hostile;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/**
 * JWTs an attacker could make, built by hand (no JWT library, so nothing "helpfully" refuses to
 * make them): unsigned, signed with another key, tampered, expired, of the wrong type or issuer.
 */
final class ForgedTokens {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private ForgedTokens() {}

  /**
   * @param secret the service's real key (a forger does not have it; some forgeries need it to
   *     isolate one check, e.g. an expired token that is otherwise perfect)
   */
  static Map<String, String> forUser(String userId, String realAccessToken, String secret) {
    var now = Instant.now().getEpochSecond();
    var tokens = new LinkedHashMap<String, String>();
    tokens.put("expired", hs256(secret, claims(userId, "access", now - 7200, now - 60, "shuzhi")));
    tokens.put(
        "wrong_key",
        hs256(
            "another-secret-of-at-least-32-bytes-long!!",
            claims(userId, "access", now, now + 600, "shuzhi")));
    tokens.put("alg_none", unsigned("none", claims(userId, "access", now, now + 600, "shuzhi")));
    tokens.put(
        "alg_none_mixed_case",
        unsigned("nOnE", claims(userId, "access", now, now + 600, "shuzhi")));
    tokens.put("no_typ", hs256(secret, claims(userId, null, now, now + 600, "shuzhi")));
    tokens.put("wrong_issuer", hs256(secret, claims(userId, "access", now, now + 600, "evil")));
    tokens.put("no_subject", hs256(secret, claims(null, "access", now, now + 600, "shuzhi")));
    var notYet = claims(userId, "access", now, now + 7200, "shuzhi");
    notYet.put("nbf", now + 3600);
    tokens.put("not_before", hs256(secret, notYet));
    // Correctly signed (the key has leaked, say) for a reader who does not exist.
    tokens.put(
        "unknown_subject",
        hs256(secret, claims("no-such-reader-" + now, "access", now, now + 600, "shuzhi")));
    tokens.put(
        "hs512_real_key",
        sign("HS512", "HmacSHA512", secret, claims(userId, "access", now, now + 600, "shuzhi")));
    var parts = realAccessToken.split("\\.");
    tokens.put(
        "tampered",
        parts[0]
            + "."
            + b64(
                JSON.writeValueAsString(claims("someone-else", "access", now, now + 600, "shuzhi")))
            + "."
            + parts[2]);
    tokens.put("signature_stripped", parts[0] + "." + parts[1] + ".");
    tokens.put(
        "header_none_real_sig",
        b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2]);
    tokens.put(
        "deep_header",
        b64("{\"alg\":\"HS256\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}")
            + "."
            + parts[1]
            + "."
            + parts[2]);
    return tokens;
  }

  private static Map<String, Object> claims(
      String subject, String type, long issuedAt, long expiry, String issuer) {
    var claims = new LinkedHashMap<String, Object>();
    claims.put("iss", issuer);
    if (subject != null) {
      claims.put("sub", subject);
    }
    claims.put("jti", "forged-" + System.nanoTime());
    claims.put("iat", issuedAt);
    claims.put("exp", expiry);
    if (type != null) {
      claims.put("typ", type);
    }
    return claims;
  }

  private static String hs256(String secret, Map<String, Object> claims) {
    return sign("HS256", "HmacSHA256", secret, claims);
  }

  private static String sign(
      String alg, String macName, String secret, Map<String, Object> claims) {
    var signingInput =
        b64("{\"alg\":\"" + alg + "\"}") + "." + b64(JSON.writeValueAsString(claims));
    try {
      var mac = Mac.getInstance(macName);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), macName));
      return signingInput
          + "."
          + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String unsigned(String alg, Map<String, Object> claims) {
    return b64("{\"alg\":\"" + alg + "\"}") + "." + b64(JSON.writeValueAsString(claims)) + ".";
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
