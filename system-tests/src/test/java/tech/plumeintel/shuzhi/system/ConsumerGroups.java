package tech.plumeintel.shuzhi.system;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** Who holds a topic's partitions in a consumer group, as the broker sees it. */
final class ConsumerGroups {

  private ConsumerGroups() {}

  /**
   * Waits until the group's only members are the consumers whose client ids start with this prefix,
   * and they hold every partition of the topic: a worker that then takes jobs alone.
   */
  static void awaitSoleOwner(String group, String clientIdPrefix, String topic, Duration atMost)
      throws Exception {
    try (var admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfrastructure.shared().kafkaBootstrapServers()))) {
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                var members =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group).members();
                return !members.isEmpty()
                    && members.stream().allMatch(m -> m.clientId().startsWith(clientIdPrefix))
                    && members.stream().mapToLong(ConsumerGroups::partitionsOf).sum() == partitions;
              });
    }
  }

  private static long partitionsOf(MemberDescription member) {
    return member.assignment().topicPartitions().size();
  }
}
