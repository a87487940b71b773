package tech.plumeintel.shuzhi.chat.job;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.event.ConsumerStoppedEvent;
import org.springframework.stereotype.Component;

/**
 * DOWN once a listener container has stopped on its own. Spring Kafka stops a container for good on
 * some failures (an "emergency stop" to avoid losing records, an authorization error, a fenced
 * producer); the worker then takes no job, yet answers every probe and holds its partitions' share
 * of the group's work. In the liveness group (application.yml): a restart is the cure.
 */
@Component("jobIntake")
class JobIntakeHealth implements HealthIndicator {

  private static final Logger log = LoggerFactory.getLogger(JobIntakeHealth.class);

  private volatile ConsumerStoppedEvent.@Nullable Reason stoppedFor;

  @EventListener
  void consumerStopped(ConsumerStoppedEvent event) {
    if (event.getReason() != ConsumerStoppedEvent.Reason.NORMAL) {
      stoppedFor = event.getReason();
      log.error("A Kafka listener stopped on its own ({}): no jobs are taken", event.getReason());
    }
  }

  @Override
  public Health health() {
    var reason = stoppedFor;
    return reason == null
        ? Health.up().build()
        : Health.down().withDetail("listenerStopped", reason.name()).build();
  }
}
