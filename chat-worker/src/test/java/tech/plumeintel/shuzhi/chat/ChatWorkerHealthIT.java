package tech.plumeintel.shuzhi.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.client.RestClient;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tools.jackson.databind.JsonNode;

// No listener: this context must not take the chat jobs other tests send to the same broker.
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.server.port=0",
      "shuzhi.llm.api-key=test-key",
      "spring.kafka.listener.auto-startup=false",
      // Nor the streams of dead workers other tests leave behind.
      "shuzhi.chat.takeover.enabled=false"
    })
@RealInfrastructure
// Its listeners would otherwise stay in the worker's consumer group and take other tests' jobs.
@DirtiesContext
class ChatWorkerHealthIT {

  @LocalManagementPort int managementPort;

  @Autowired LettuceConnectionFactory redis;

  @Test
  void writesFramesWithoutAnObservationPerRedisCommand() {
    var resources = redis.getClientConfiguration().getClientResources().orElseThrow();
    assertThat(resources.tracing().isEnabled()).isFalse();
  }

  @Test
  void reportsUpWithKafkaRedisAndMongoConnected() {
    var health = management("/actuator/health", JsonNode.class);
    assertThat(health.path("status").asString()).isEqualTo("UP");
    for (var store : new String[] {"kafka", "mongo", "redis"}) {
      assertThat(health.path("components").path(store).path("status").asString())
          .as(store)
          .isEqualTo("UP");
    }
  }

  @Test
  void livenessIncludesTheJobIntakeAndNoStore() {
    var liveness = management("/actuator/health/liveness", JsonNode.class);
    assertThat(liveness.path("status").asString()).isEqualTo("UP");
    assertThat(liveness.path("components").path("jobIntake").path("status").asString())
        .isEqualTo("UP");
    assertThat(liveness.path("components").has("kafka")).isFalse();
  }

  @Test
  void servesPrometheusMetrics() {
    var metrics = management("/actuator/prometheus", String.class);
    assertThat(metrics).contains("jvm_memory_used_bytes", "application=\"");
  }

  /** A management endpoint's answer, as a probe or a scraper reads it. */
  private <T> T management(String path, Class<T> type) {
    return RestClient.create("http://localhost:" + managementPort)
        .get()
        .uri(path)
        .retrieve()
        .body(type);
  }
}
