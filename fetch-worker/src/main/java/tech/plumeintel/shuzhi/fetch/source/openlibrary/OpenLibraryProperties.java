package tech.plumeintel.shuzhi.fetch.source.openlibrary;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Open Library.
 *
 * @param baseUrl the API ({@code SHUZHI_BOOKS_OPENLIBRARY_BASE_URL})
 * @param coversBaseUrl the cover image host ({@code SHUZHI_BOOKS_OPENLIBRARY_COVERS_BASE_URL})
 * @param requestsPerSecond Open Library asks for at most 3 requests a second
 */
@Validated
@ConfigurationProperties("shuzhi.books.openlibrary")
public record OpenLibraryProperties(
    @DefaultValue("https://openlibrary.org") @NotNull URI baseUrl,
    @DefaultValue("https://covers.openlibrary.org") @NotNull URI coversBaseUrl,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("5s") Duration requestTimeout,
    @DefaultValue("3") @DecimalMin("0.01") @DecimalMax("3") double requestsPerSecond) {}
