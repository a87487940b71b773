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
 * Issues and checks our JWTs (HS256, and only HS256). Access and refresh tokens carry a {@code typ}
 * claim so that neither can stand in for the other, and a {@code fam} claim: the tokens of one
 * login and all its refreshes form a family, revoked together (logout, a replayed refresh token).
 */
@Component
public class Tokens {

  static final String TYPE_CLAIM = "typ";
  static final String FAMILY_CLAIM = "fam";
  static final String ACCESS = "access";
  static final String REFRESH = "refresh";

  /** Readers' access tokens held at once; a reader holds one at a time (2 h each). */
  private static final int MAX_VERIFIED = 20_000;

  private final JwtProperties properties;
  private final SecretKey key;
  private final JwtParser parser;
  private final Clock clock;
  private final IdGenerator ids;
  private final TokenStanding standing;

  /**
   * Access tokens this instance verified, with what they proved: checking an HMAC and parsing JSON
   * on every request cost more than the book lookup it guarded. Only a token that passed every
   * check is kept, keyed by its exact text, until its expiry; whether it still stands (its reader
   * exists, its family is not revoked) is asked again once per {@link
   * JwtProperties#standingRecheck()}, so at most one Redis and one Mongo read per reader and
   * interval instead of per request (usually neither: see {@link RevocationFeed}, {@link
   * AccessStanding}).
   */
  private final Cache<String, VerifiedAccess> verified;

  Tokens(
      JwtProperties properties,
      Environment environment,
      Clock clock,
      IdGenerator ids,
      TokenStanding standing) {
    this.properties = properties;
    this.key = SigningKeyFactory.signingKey(properties, environment);
    this.clock = clock;
    this.ids = ids;
    this.standing = standing;
    this.parser =
        Jwts.parser()
            .verifyWith(key)
            // jjwt would otherwise accept any HMAC its key is long enough for (HS384, HS512).
            .sig()
            .clear()
            .add(Jwts.SIG.HS256)
            .and()
            .requireIssuer(properties.issuer())
            .clock(() -> Date.from(clock.instant()))
            .json(new JacksonJwtJson.Deserializer())
            .build();
    this.verified = Caffeine.newBuilder().maximumSize(MAX_VERIFIED).build();
  }

  /** A new login: a new family. */
  TokenPair issue(String userId) {
    return issue(userId, ids.next());
  }

  /** A refresh: the same family as the refresh token it replaces. */
  TokenPair renew(RefreshToken refresh) {
    return issue(refresh.userId(), refresh.family());
  }

  private TokenPair issue(String userId, String family) {
    var now = clock.instant();
    return new TokenPair(
        sign(userId, family, ACCESS, now, properties.accessTtl()),
        sign(userId, family, REFRESH, now, properties.refreshTtl()),
        properties.accessTtl().toSeconds());
  }

  /**
   * @return the user id of a valid access token
   * @throws ApiException {@code UNAUTHORIZED} for anything else
   */
  public String userOfAccessToken(String token) {
    return access(token).userId();
  }

  /**
   * @return who a valid access token speaks for, and its family
   * @throws ApiException {@code UNAUTHORIZED} for anything else
   */
  Access access(String token) {
    var now = clock.instant();
    var known = verified.getIfPresent(token);
    if (known != null) {
      if (!now.isBefore(known.expiresAt())) {
        verified.invalidate(token);
        // Expired: the parser refuses it below, as it always did.
      } else if (now.isBefore(known.checkedAt().plus(properties.standingRecheck()))) {
        return known.access();
      } else {
        return stillStanding(token, known.access(), known.expiresAt(), now);
      }
    }
    var claims = claims(token, ACCESS);
    var access = new Access(claims.getSubject(), family(claims));
    return stillStanding(token, access, claims.getExpiration().toInstant(), now);
  }

  private Access stillStanding(String token, Access access, Instant expiresAt, Instant now) {
    if (!standing.stands(access.userId(), access.family())) {
      verified.invalidate(token);
      throw ApiException.unauthorized("登录已失效，请重新登录");
    }
    verified.put(token, new VerifiedAccess(access, expiresAt, now));
    return access;
  }

  /** This instance stops trusting its own verdict on the token at once (a logout through it). */
  void forget(String token) {
    verified.invalidate(token);
  }

  RefreshToken refreshToken(String token) {
    var claims = claims(token, REFRESH);
    return new RefreshToken(
        claims.getSubject(), claims.getId(), family(claims), claims.getExpiration().toInstant());
  }

  // Tokens issued before families existed are each a family of their own.
  private static String family(Claims claims) {
    var family = claims.get(FAMILY_CLAIM, String.class);
    return family == null || family.isBlank() ? claims.getId() : family;
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

  private String sign(String userId, String family, String type, Instant now, Duration ttl) {
    return Jwts.builder()
        .json(new JacksonJwtJson.Serializer())
        .issuer(properties.issuer())
        .subject(userId)
        .id(ids.next())
        .issuedAt(Date.from(now))
        .expiration(Date.from(now.plus(ttl)))
        .claim(TYPE_CLAIM, type)
        .claim(FAMILY_CLAIM, family)
        .signWith(key, Jwts.SIG.HS256)
        .compact();
  }

  /** Who an access token speaks for, and the family it belongs to. */
  record Access(String userId, String family) {}

  private record VerifiedAccess(Access access, Instant expiresAt, Instant checkedAt) {}

  record TokenPair(String accessToken, String refreshToken, long expiresIn) {}

  record RefreshToken(String userId, String tokenId, String family, Instant expiresAt) {}
}
