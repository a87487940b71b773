package tech.plumeintel.shuzhi.api.auth;

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

  private final JwtProperties properties;
  private final SecretKey key;
  private final JwtParser parser;
  private final Clock clock;
  private final IdGenerator ids;

  Tokens(JwtProperties properties, Environment environment, Clock clock, IdGenerator ids) {
    this.properties = properties;
    this.key = SigningKeyFactory.signingKey(properties, environment);
    this.clock = clock;
    this.ids = ids;
    this.parser = Jwts.parser()
        .verifyWith(key)
        .requireIssuer(properties.issuer())
        .clock(() -> Date.from(clock.instant()))
        .json(new JacksonJwtJson.Deserializer())
        .build();
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
    return claims(token, ACCESS).getSubject();
  }

  RefreshToken refreshToken(String token) {
    var claims = claims(token, REFRESH);
    return new RefreshToken(claims.getSubject(), claims.getId(), claims.getExpiration().toInstant());
  }

  private Claims claims(String token, String type) {
    try {
      var claims = parser.parseSignedClaims(token).getPayload();
      if (!type.equals(claims.get(TYPE_CLAIM, String.class)) || claims.getSubject() == null
          || claims.getId() == null || claims.getExpiration() == null) {
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

  record TokenPair(String accessToken, String refreshToken, long expiresIn) {}

  record RefreshToken(String userId, String tokenId, Instant expiresAt) {}
}
