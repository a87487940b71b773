package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;

/**
 * Operators see three services, each on its own management port, each with its own metrics, even
 * though the tests run them in one JVM.
 */
class ServicesHealthIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  @Test
  void everyServiceIsUpWithItsStoresAndServesOnlyItsOwnMetrics() {
    var services =
        Map.of(
            "api-service",
            system.api,
            "fetch-worker",
            system.fetchWorker,
            "chat-worker",
            system.chatWorker);
    services.forEach(
        (name, service) -> {
          var management = new JsonHttp(service.managementPort());
          var health = management.get("/actuator/health", null);
          assertThat(health.status()).as(name).isEqualTo(200);
          assertThat(health.json().path("status").asString()).as(name).isEqualTo("UP");
          for (var store : new String[] {"kafka", "mongo", "redis"}) {
            assertThat(health.json().path("components").path(store).path("status").asString())
                .as("%s: %s", name, store)
                .isEqualTo("UP");
          }
          var metrics = management.get("/actuator/prometheus", null).body();
          assertThat(metrics).as(name).contains("application=\"" + name + "\"");
          services.keySet().stream()
              .filter(other -> !other.equals(name))
              .forEach(
                  other ->
                      assertThat(metrics)
                          .as("%s shows no meter of %s", name, other)
                          .doesNotContain("application=\"" + other + "\""));
        });
    assertThat(new JsonHttp(system.api.port()).get("/actuator/health", null).status())
        .as("the API's management endpoints are not on its public port")
        .isNotEqualTo(200);
  }
}
