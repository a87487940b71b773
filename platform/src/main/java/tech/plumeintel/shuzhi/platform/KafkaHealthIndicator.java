package tech.plumeintel.shuzhi.platform;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.core.KafkaAdmin;

/** UP when the Kafka cluster answers a describe-cluster request in time. Boot has no such check. */
final class KafkaHealthIndicator extends AbstractHealthIndicator implements DisposableBean {

  private final KafkaAdmin admin;
  private final Duration timeout;
  private volatile AdminClient client;

  KafkaHealthIndicator(KafkaAdmin admin, Duration timeout) {
    super("Kafka health check failed");
    this.admin = admin;
    this.timeout = timeout;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    var options = new DescribeClusterOptions().timeoutMs((int) timeout.toMillis());
    var cluster = client().describeCluster(options);
    int nodes = cluster.nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
    builder
        .up()
        .withDetail("clusterId", cluster.clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .withDetail("nodes", nodes);
  }

  private AdminClient client() {
    var current = client;
    if (current == null) {
      synchronized (this) {
        current = client;
        if (current == null) {
          current = AdminClient.create(admin.getConfigurationProperties());
          client = current;
        }
      }
    }
    return current;
  }

  @Override
  public void destroy() {
    var current = client;
    if (current != null) {
      current.close(Duration.ofSeconds(1));
    }
  }
}
