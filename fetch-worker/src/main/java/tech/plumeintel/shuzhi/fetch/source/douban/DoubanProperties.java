package tech.plumeintel.shuzhi.fetch.source.douban;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Douban Books.
 *
 * @param baseUrl the site ({@code SHUZHI_BOOKS_DOUBAN_BASE_URL}); a stand-in in tests
 * @param requestsPerSecond Douban bans quickly, so this stays low
 */
@Validated
@ConfigurationProperties("shuzhi.books.douban")
public record DoubanProperties(
    @DefaultValue("https://book.douban.com") @NotNull URI baseUrl,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("5s") Duration requestTimeout,
    @DefaultValue("1") @DecimalMin("0.01") double requestsPerSecond) {}
