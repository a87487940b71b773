package tech.plumeintel.shuzhi.api.web;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/**
 * Connects the job producer and learns the job topics' partitions before the web server takes its
 * first request. Otherwise the first jobs of a new instance wait for that themselves, and under
 * load past {@code max.block.ms} (2 s): the question check's two new instances in the bench
 * answered 25 of their first chats {@code 503 UPSTREAM_ERROR} ("Topic chat.requested not present in
 * metadata after 2000 ms"), as every new instance of a deployment would under traffic. A broker
 * that does not answer in time delays the start by that much per topic, and is then left to the
 * first jobs.
 */
@Component
class ProducerWarmUp implements SmartLifecycle {

  static final List<String> TOPICS = List.of(ChatRequested.TOPIC, BookFetchRequested.TOPIC);

  private static final Logger log = LoggerFactory.getLogger(ProducerWarmUp.class);

  private final KafkaTemplate<String, Object> kafka;
  private volatile boolean running;

  ProducerWarmUp(KafkaTemplate<String, Object> kafka) {
    this.kafka = kafka;
  }

  @Override
  public void start() {
    for (var topic : TOPICS) {
      try {
        kafka.partitionsFor(topic);
      } catch (RuntimeException e) {
        log.warn("Kafka did not tell topic {}'s partitions at start: {}", topic, e.toString());
      }
    }
    running = true;
  }

  @Override
  public void stop() {
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Just before the web server starts. */
  @Override
  public int getPhase() {
    return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
  }
}
