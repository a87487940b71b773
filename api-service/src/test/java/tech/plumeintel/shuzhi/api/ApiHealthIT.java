package tech.plumeintel.shuzhi.api;

import static org.assertj.core.api.Assertions.assertThat;

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
    try (var instance =
        new AnotherApiInstance(java.util.Map.of("shuzhi.management.address", "127.0.0.2"))) {
      var port = instance.managementPort();
      var onIt =
          RestClient.create("http://127.0.0.2:" + port)
              .get()
              .uri("/actuator/health")
              .retrieve()
              .body(JsonNode.class);
      assertThat(onIt.path("status").asString()).isEqualTo("UP");
      try (var socket = new java.net.Socket()) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2_000))
            .isInstanceOf(java.io.IOException.class);
      }
    }
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
