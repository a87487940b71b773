package tech.plumeintel.shuzhi.chat.stream;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the worker streams ({@code shuzhi.chat.*}).
 *
 * @param heartbeatInterval silence after which a heartbeat frame tells the API the worker is alive;
 *     well under the API's 60 s no-event limit
 * @param logTtl how long a stream stays resumable after its last frame (the log's and the meta
 *     hash's TTL)
 * @param workerId written into the meta hash when this worker claims a job; defaults to host and
 *     pid
 * @param shutdownDrain how long a stopping worker lets its running streams finish before it ends
 *     the rest with an error frame (keep it under the orchestrator's grace period)
 */
@ConfigurationProperties("shuzhi.chat")
@Validated
public record StreamProperties(
    @DefaultValue("3s") Duration heartbeatInterval,
    @DefaultValue("10m") Duration logTtl,
    @Nullable String workerId,
    @DefaultValue("20s") Duration shutdownDrain) {}
