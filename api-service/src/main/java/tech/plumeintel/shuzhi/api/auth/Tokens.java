package tech.plumeintel.shuzhi.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.crypto.SecretKey;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/**
 * Issues and checks our JWTs (HS256). Access and refresh tokens carry a {@code typ} claim so that
 * neither can stand in for the other.
 */
@Component
public class Tokens {

  static final String TYPE_CLAIM = "typ";
  static final String ACCESS = "access";
  static final String REFRESH = "refresh";

  /** Readers' access tokens held at once; a reader holds one at a time (2 h each). */
  private static final int MAX_VERIFIED = 20_000;

  private final JwtProperties properties;
  private final SecretKey key;
  private final JwtParser parser;
  private final Clock clock;
  private final IdGenerator ids;

  /**
   * Access tokens this instance verified, with what they proved: checking an HMAC and parsing JSON
   * on every request cost more than the book lookup it guarded. Only a token that passed every
   * check is kept, keyed by its exact text, and only until its expiry; no access token is revoked
   * before that.
   */
  private final Cache<String, VerifiedAccess> verified;

  Tokens(JwtProperties properties, Environment environment, Clock clock, IdGenerator ids) {
    this.properties = properties;
    this.key = SigningKeyFactory.signingKey(properties, environment);
    this.clock = clock;
    this.ids = ids;
    this.parser =
        Jwts.parser()
            .verifyWith(key)
            .requireIssuer(properties.issuer())
            .clock(() -> Date.from(clock.instant()))
            .json(new JacksonJwtJson.Deserializer())
            .build();
    this.verified = Caffeine.newBuilder().maximumSize(MAX_VERIFIED).build();
  }

  TokenPair issue(String userId) {
    var now = clock.instant();
    return new TokenPair(
        sign(userId, ACCESS, now, properties.accessTtl()),
        sign(userId, REFRESH, now, properties.refreshTtl()),
        properties.accessTtl().toSeconds());
  }

  /**
   * @return the user id of a valid access token
   * @throws ApiException {@code UNAUTHORIZED} for anything else
   */
  public String userOfAccessToken(String token) {
    var known = verified.getIfPresent(token);
    if (known != null) {
      if (clock.instant().isBefore(known.expiresAt())) {
        return known.userId();
      }
      verified.invalidate(token);
    }
    // Expired or never seen: the parser decides, and refuses as it always did.
    var claims = claims(token, ACCESS);
    verified.put(
        token, new VerifiedAccess(claims.getSubject(), claims.getExpiration().toInstant()));
    return claims.getSubject();
  }

  RefreshToken refreshToken(String token) {
    var claims = claims(token, REFRESH);
    return new RefreshToken(
        claims.getSubject(), claims.getId(), claims.getExpiration().toInstant());
  }

  private Claims claims(String token, String type) {
    try {
      var claims = parser.parseSignedClaims(token).getPayload();
      if (!type.equals(claims.get(TYPE_CLAIM, String.class))
          || claims.getSubject() == null
          || claims.getId() == null
          || claims.getExpiration() == null) {
        throw ApiException.unauthorized("登录凭证无效，请重新登录");
      }
      return claims;
    } catch (JwtException | IllegalArgumentException e) {
      throw ApiException.unauthorized("登录凭证无效或已过期，请重新登录");
    }
  }

  private String sign(String userId, String type, Instant now, Duration ttl) {
    return Jwts.builder()
        .json(new JacksonJwtJson.Serializer())
        .issuer(properties.issuer())
        .subject(userId)
        .id(ids.next())
        .issuedAt(Date.from(now))
        .expiration(Date.from(now.plus(ttl)))
        .claim(TYPE_CLAIM, type)
        .signWith(key, Jwts.SIG.HS256)
        .compact();
  }

  private record VerifiedAccess(String userId, Instant expiresAt) {}

  record TokenPair(String accessToken, String refreshToken, long expiresIn) {}

  record RefreshToken(String userId, String tokenId, Instant expiresAt) {}
}
