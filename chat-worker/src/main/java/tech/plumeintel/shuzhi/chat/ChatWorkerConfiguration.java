package tech.plumeintel.shuzhi.chat;

import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/** How the worker's listener container pauses and commits. */
@Configuration(proxyBeanMethods = false)
class ChatWorkerConfiguration {

  static final Duration COMMIT_INTERVAL = Duration.ofMillis(100);

  /**
   * The job listener is paused when a job takes the last stream slot and resumed, from the stream's
   * thread, when one frees. Polls bring one job each (application.yml), so a pause leaves no batch
   * behind. It used to be batches of 50 with {@code pauseImmediate}, which sets the rest of the
   * batch aside and pauses the consumer only at the top of the next loop: a resume in between left
   * the consumer fetching with records set aside, and its next poll stopped the container for good
   * ("emergency stop invoked to avoid message loss"; the bench's 10,000 open streams hit it, and
   * {@code JobIntakeIT} within seconds). Offsets are committed at most every 100 ms and without
   * waiting for the broker, not after every one-job poll: a synchronous commit held the next job's
   * poll for a round trip to the broker (time to first token). A commit lost in a crash redelivers
   * jobs, which the claim in Redis skips.
   */
  @Bean
  ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>
      listenerContainer() {
    return container -> {
      var properties = container.getContainerProperties();
      properties.setSyncCommits(false);
      properties.setAckMode(ContainerProperties.AckMode.TIME);
      properties.setAckTime(COMMIT_INTERVAL.toMillis());
    };
  }
}
