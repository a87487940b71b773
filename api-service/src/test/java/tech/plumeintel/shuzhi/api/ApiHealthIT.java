package tech.plumeintel.shuzhi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

class ApiHealthIT extends ApiIntegrationTest {

  @Autowired ServletWebServerApplicationContext context;

  @Test
  void acceptsTenThousandOpenStreamsAndMore() {
    var tomcat = ((TomcatWebServer) context.getWebServer()).getTomcat();
    var protocol = (AbstractProtocol<?>) tomcat.getConnector().getProtocolHandler();
    assertThat(protocol.getMaxConnections()).isGreaterThanOrEqualTo(10_000);
  }

  @Test
  void reportsUpWithKafkaRedisAndMongoConnected() {
    var health =
        RestClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/health")
            .retrieve()
            .body(JsonNode.class);
    assertThat(health.path("status").asString()).isEqualTo("UP");
    for (var store : new String[] {"kafka", "mongo", "redis"}) {
      assertThat(health.path("components").path(store).path("status").asString())
          .as(store)
          .isEqualTo("UP");
    }
  }

  @Test
  void anAnonymousCallerSeesNoHealthDetails() {
    var health =
        RestClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/health")
            .retrieve()
            .body(JsonNode.class);

    assertThat(health.path("components").path("mongo").path("status").asString()).isEqualTo("UP");
    for (var component : health.path("components").properties()) {
      assertThat(component.getValue().has("details")).as(component.getKey()).isFalse();
    }
    assertThat(health.toString()).doesNotContain("clusterId", "database", "free");
  }

  @Test
  void theManagementPortListensOnTheConfiguredAddressOnly() throws Exception {
    try (var instance = new AnotherApiInstance(Map.of("shuzhi.management.address", "127.0.0.2"))) {
      var port = instance.managementPort();
      var onIt =
          RestClient.create("http://127.0.0.2:" + port)
              .get()
              .uri("/actuator/health")
              .retrieve()
              .body(JsonNode.class);
      assertThat(onIt.path("status").asString()).isEqualTo("UP");
      try (var socket = new Socket()) {
        assertThatThrownBy(() -> socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000))
            .isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void infoNamesTheBuildAndTheMode() {
    var info =
        RestClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/info")
            .retrieve()
            .body(JsonNode.class);
    assertThat(info.path("build").path("artifact").asString()).isEqualTo("api-service");
    assertThat(info.path("build").path("version").asString()).isNotBlank();
    // No local profile and no try-out flag in these tests: what production looks like.
    assertThat(info.path("mode").asString()).isEqualTo("production");
  }

  @Test
  void readinessIncludesTheStoresAndLivenessDoesNot() {
    var management = RestClient.create("http://localhost:" + managementPort);
    var readiness =
        management.get().uri("/actuator/health/readiness").retrieve().body(JsonNode.class);
    assertThat(readiness.path("status").asString()).isEqualTo("UP");
    assertThat(readiness.path("components").propertyNames())
        .contains("readinessState", "kafka", "mongo", "redis");
    var liveness =
        management.get().uri("/actuator/health/liveness").retrieve().body(JsonNode.class);
    assertThat(liveness.path("status").asString()).isEqualTo("UP");
    assertThat(liveness.path("components").propertyNames()).doesNotContain("mongo", "redis");
  }

  @Test
  void servesPrometheusMetrics() {
    var metrics =
        RestClient.create("http://localhost:" + managementPort)
            .get()
            .uri("/actuator/prometheus")
            .retrieve()
            .body(String.class);
    assertThat(metrics).contains("jvm_memory_used_bytes", "application=\"");
  }
}
