package tech.plumeintel.shuzhi.fetch.source.google;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Google Books.
 *
 * @param baseUrl the API ({@code SHUZHI_BOOKS_GOOGLE_BASE_URL})
 * @param apiKey optional; without one Google allows fewer requests a day
 */
@Validated
@ConfigurationProperties("shuzhi.books.google")
public record GoogleBooksProperties(
    @DefaultValue("https://www.googleapis.com") @NotNull URI baseUrl,
    @Nullable String apiKey,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("5s") Duration requestTimeout,
    @DefaultValue("5") @DecimalMin("0.01") double requestsPerSecond) {}
