package tech.plumeintel.shuzhi.api.chat;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param pickupTimeout a job no worker has started by then fails with {@code MODEL_ERROR}
 * @param workerSilence a started stream that sends nothing (not even a heartbeat) this long failed
 * @param pingInterval comment lines keep idle connections open through proxies
 * @param maxConnection one client connection is closed after this; the client resumes
 * @param idempotencyWindow a repeated {@code client_msg_id} attaches to its stream within it
 * @param metaRetention how long a stream can be resumed or cancelled (the worker keeps its log as
 *     long)
 * @param publishTimeout how long to wait for Kafka to take the job before answering 503
 * @param clientRetry how long an SSE client waits before it reconnects after a drop: every SSE
 *     stream starts with it as a {@code retry:} field
 * @param busyAfter while a new chat of this instance has waited this long for a worker to take its
 *     job, new chats are refused with {@code 503 MODEL_ERROR} and a {@code Retry-After} of as long
 */
@ConfigurationProperties("shuzhi.chat")
record ChatProperties(
    @DefaultValue("15s") Duration pickupTimeout,
    @DefaultValue("30s") Duration workerSilence,
    @DefaultValue("15s") Duration pingInterval,
    @DefaultValue("10m") Duration maxConnection,
    @DefaultValue("5m") Duration idempotencyWindow,
    @DefaultValue("1h") Duration metaRetention,
    @DefaultValue("3s") Duration publishTimeout,
    @DefaultValue("3s") Duration clientRetry,
    @DefaultValue("5s") Duration busyAfter) {}
