package tech.plumeintel.shuzhi.api.auth;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Token signing ({@code SHUZHI_JWT_SECRET}) and lifetimes. The secret is checked at start-up by
 * {@link SigningKeyFactory}.
 */
@ConfigurationProperties("shuzhi.jwt")
public record JwtProperties(
    @Nullable String secret,
    @DefaultValue("2h") Duration accessTtl,
    @DefaultValue("7d") Duration refreshTtl,
    @DefaultValue("shuzhi") String issuer) {}
