package tech.plumeintel.shuzhi.chat;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** How the worker's listener container pauses and commits. */
@Configuration(proxyBeanMethods = false)
class ChatWorkerConfiguration {

  /**
   * A pause takes effect after the current record, not after the whole batch: the rest of the batch
   * is fetched again after the resume instead of waiting for a slot on the consumer thread. Offsets
   * are committed without waiting for the broker: a job is handed to its stream before the commit
   * anyway, and a synchronous commit held the next job's poll for a round trip to the broker (time
   * to first token). A commit lost in a crash redelivers jobs, which the claim in Redis skips.
   */
  @Bean
  ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>>
      listenerContainer() {
    return container -> {
      container.getContainerProperties().setPauseImmediate(true);
      container.getContainerProperties().setSyncCommits(false);
    };
  }
}
