package tech.plumeintel.shuzhi.fetch.source;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How every source is asked over HTTP.
 *
 * @param userAgent sent on every request; Open Library asks clients to identify themselves
 * @param maxAttempts tries of one request that timed out or got a 5xx
 * @param retryBackoff the first pause before a retry; it doubles each time
 * @param maxResponseSize larger answers are refused: unread when they declare their length, a
 *     compressed one as soon as it decodes past it (answers are asked for gzipped; a subject page
 *     is about 300 KB decoded)
 * @param maxRedirects redirects followed within one host
 * @param defaultRequestsPerSecond the rate for hosts without their own, such as image hosts
 * @param maxRateWait the longest a request waits for its host's rate limit before giving up
 */
@Validated
@ConfigurationProperties("shuzhi.books.http")
public record HttpProperties(
    @DefaultValue("Shuzhi/0.1 (+https://sealos.plumeintel.tech)") @NotBlank String userAgent,
    @DefaultValue("3") @Min(1) int maxAttempts,
    @DefaultValue("200ms") Duration retryBackoff,
    @DefaultValue("4MB") DataSize maxResponseSize,
    @DefaultValue("3") @Min(0) int maxRedirects,
    @DefaultValue("2") @DecimalMin("0.01") double defaultRequestsPerSecond,
    @DefaultValue("10s") Duration maxRateWait) {}
