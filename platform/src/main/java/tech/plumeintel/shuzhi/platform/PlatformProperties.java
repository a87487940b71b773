package tech.plumeintel.shuzhi.platform;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a service waits on its stores before it answers "unavailable", and how it retries a
 * Kafka record before the record goes to its dead-letter topic.
 *
 * @param storeTimeout connect and server-selection timeout for MongoDB; a store that is down must
 *     turn into a quick 503, not a request thread blocked for the driver's default 30 s
 * @param storeReadTimeout socket read timeout for MongoDB
 * @param kafkaHealthTimeout how long the Kafka health check waits for the cluster to answer
 * @param deadLetterAttempts deliveries of a failing record before it is dead-lettered
 * @param deadLetterBackoff the first pause between those deliveries; it doubles each time
 * @param topicPartitions partitions of the job topics: the most workers of one kind that can share
 *     the work
 * @param topicReplicas replicas of every topic (1 for a single broker)
 */
@ConfigurationProperties("shuzhi.platform")
public record PlatformProperties(
    @DefaultValue("2s") Duration storeTimeout,
    @DefaultValue("10s") Duration storeReadTimeout,
    @DefaultValue("3s") Duration kafkaHealthTimeout,
    @DefaultValue("3") int deadLetterAttempts,
    @DefaultValue("500ms") Duration deadLetterBackoff,
    @DefaultValue("12") int topicPartitions,
    @DefaultValue("1") short topicReplicas) {}
