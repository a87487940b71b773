package tech.plumeintel.shuzhi.fetch.job;

import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Lookup jobs. How fresh a stored book must be to end a job without asking the sources is not set
 * here: each job carries the API's {@code shuzhi.books.freshness}.
 *
 * @param missingTtl how long a book that no source knows is answered 404 without a new lookup
 * @param concurrency consumer threads of this worker (the topic's partitions bound the useful
 *     total)
 * @param defaultTimeout the deadline of a job that names none
 */
@Validated
@ConfigurationProperties("shuzhi.books.fetch")
public record FetchJobProperties(
    @DefaultValue("1d") Duration missingTtl,
    @DefaultValue("3") @Min(1) int concurrency,
    @DefaultValue("60s") Duration defaultTimeout) {}
