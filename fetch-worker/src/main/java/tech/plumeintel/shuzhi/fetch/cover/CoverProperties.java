package tech.plumeintel.shuzhi.fetch.cover;

import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Cover downloads.
 *
 * @param allowedHosts image hosts we download from over https, with their subdomains; besides
 *     these, only URLs under the configured source base URLs (stand-ins in tests) are fetched, so a
 *     source's page can never make the worker fetch an arbitrary address
 * @param maxSize larger images are refused
 * @param requestsPerSecond per image host
 */
@Validated
@ConfigurationProperties("shuzhi.books.covers")
public record CoverProperties(
    @DefaultValue({
          "doubanio.com",
          "covers.openlibrary.org",
          "archive.org",
          "books.google.com",
          "googleusercontent.com"
        })
        List<String> allowedHosts,
    @DefaultValue("2MB") DataSize maxSize,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("10s") Duration requestTimeout,
    @DefaultValue("2") @DecimalMin("0.01") double requestsPerSecond) {}
