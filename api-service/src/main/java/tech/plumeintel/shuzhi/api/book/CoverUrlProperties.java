package tech.plumeintel.shuzhi.api.book;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Signed cover links ({@code cover_url}), which a mini-program's {@code <image src>} loads without
 * an {@code Authorization} header.
 *
 * @param secret the HMAC key's source; unset, it is derived from {@code shuzhi.jwt.secret}, so
 *     every instance verifies the links any instance signed without a store
 * @param lifetime how long a link works at least; links expire at the end of a UTC day, so a link
 *     stays the same all day and browsers and the mini-program cache the image under it
 */
@ConfigurationProperties("shuzhi.books.cover-url")
record CoverUrlProperties(@Nullable String secret, @DefaultValue("7d") Duration lifetime) {}
