package tech.plumeintel.shuzhi.api.auth;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Token signing ({@code SHUZHI_JWT_SECRET}) and lifetimes. The secret is checked at start-up by
 * {@link SigningKeyFactory}.
 *
 * @param standingRecheck how long an instance trusts its own verdict on a verified access token
 *     before it asks again whether the reader still exists and the token's family is not revoked: a
 *     logout or a detected refresh-token theft stops the family's access tokens within this long on
 *     every instance
 */
@ConfigurationProperties("shuzhi.jwt")
public record JwtProperties(
    @Nullable String secret,
    @DefaultValue("2h") Duration accessTtl,
    @DefaultValue("7d") Duration refreshTtl,
    @DefaultValue("shuzhi") String issuer,
    @DefaultValue("5s") Duration standingRecheck) {

  /** How long a revoked family is remembered: the newest token of it lives at most this long. */
  Duration revocationKept() {
    return refreshTtl.plus(accessTtl).plusMinutes(1);
  }
}
