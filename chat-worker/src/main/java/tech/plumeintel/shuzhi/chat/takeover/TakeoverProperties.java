package tech.plumeintel.shuzhi.chat.takeover;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How streams outlive their worker ({@code shuzhi.chat.takeover.*}).
 *
 * @param enabled whether this worker holds leases and continues the streams of dead workers
 * @param lease how long a stream's lease lasts unless renewed (renewed every third of it); a dead
 *     worker's streams are continued this long after its last renewal, at the latest: keep lease
 *     plus scan interval well under the API's {@code shuzhi.chat.worker-silence} (30 s)
 * @param scanInterval how often each worker looks for lapsed leases
 * @param maxTakeovers how often one stream may be continued by another worker; beyond, it ends with
 *     {@code MODEL_ERROR}
 */
@ConfigurationProperties("shuzhi.chat.takeover")
@Validated
public record TakeoverProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("10s") Duration lease,
    @DefaultValue("2s") Duration scanInterval,
    @DefaultValue("2") int maxTakeovers) {}
