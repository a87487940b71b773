package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks the Kubernetes manifests in ops/k8s where no cluster runs: every object against the
 * vendored Kubernetes and KEDA schemas (src/test/resources/k8s-schemas), then for what a schema
 * cannot see: probes on the management port's health groups, grace periods beyond the drains, a
 * disruption budget per Deployment, a ScaledObject per worker on its own consumer group, and an
 * ingress that lets server-sent events through.
 */
class KubernetesManifestsTest {

  static final Map<String, String> SCHEMAS =
      Map.of(
          "apps/v1/Deployment", "deployment-apps-v1.json",
          "v1/Service", "service-v1.json",
          "v1/ConfigMap", "configmap-v1.json",
          "policy/v1/PodDisruptionBudget", "poddisruptionbudget-policy-v1.json",
          "networking.k8s.io/v1/Ingress", "ingress-networking-v1.json",
          "keda.sh/v1alpha1/ScaledObject", "scaledobject-keda-v1alpha1.json");

  /** Each worker kind, the topic it consumes and its consumer group (its application.yml). */
  static final Map<String, String> WORKER_TOPICS =
      Map.of("fetch-worker", "book.fetch.requested", "chat-worker", "chat.requested");

  private static final Path ROOT = root();
  private static final Path K8S = ROOT.resolve("ops/k8s");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<Map<String, Object>> objects = objects();

  @Test
  void everyObjectIsValidAgainstItsSchema() {
    for (var object : objects) {
      var kind = object.get("apiVersion") + "/" + object.get("kind");
      assertThat(SCHEMAS).as("a vendored schema for " + kind).containsKey(kind);
      var errors =
          schema(SCHEMAS.get(kind))
              .validate(JSON.writeValueAsString(JSON.valueToTree(object)), InputFormat.JSON);
      assertThat(errors)
          .as(kind + " " + name(object))
          .extracting(e -> e.getInstanceLocation() + ": " + e.getMessage())
          .isEmpty();
    }
  }

  @Test
  void theSchemasRefuseWhatKubectlWouldRefuse() {
    var typo = new java.util.LinkedHashMap<>(first("Deployment", "api-service"));
    typo.put("spec", Map.of("replica", 2));
    var errors =
        schema(SCHEMAS.get("apps/v1/Deployment"))
            .validate(JSON.writeValueAsString(JSON.valueToTree(typo)), InputFormat.JSON);
    assertThat(errors).isNotEmpty();
  }

  @Test
  void eachServiceIsProbedOnItsManagementPortAndOutlastsItsDrain() {
    var metadata = ConfigurationMetadata.read(ROOT);
    ComposeFileTest.MANAGEMENT_PORTS.forEach(
        (name, port) -> {
          var pod = map(map(first("Deployment", name).get("spec")).get("template"));
          var spec = map(pod.get("spec"));
          var container = list(spec.get("containers")).getFirst();
          var ports = list(container.get("ports"));
          assertThat(ports)
              .anySatisfy(
                  p -> {
                    assertThat(p.get("name")).isEqualTo("management");
                    assertThat(p.get("containerPort")).isEqualTo(port);
                  });
          assertThat(probePath(container, "livenessProbe")).isEqualTo("/actuator/health/liveness");
          assertThat(probePath(container, "readinessProbe"))
              .isEqualTo("/actuator/health/readiness");
          assertThat(probePath(container, "startupProbe")).isEqualTo("/actuator/health/liveness");
          var limits = map(map(container.get("resources")).get("limits"));
          assertThat(limits).as(name + " memory limit").containsKey("memory");

          var drain = ComposeFileTest.SPRING_SHUTDOWN_PHASE;
          for (var property : metadata.properties()) {
            if (property.name().endsWith("shutdown-drain")
                && ConfigurationMetadata.MODULES.get(property.module()).contains(name)) {
              var value =
                  Duration.parse("PT" + property.defaultValue().orElseThrow().toUpperCase());
              drain = value.compareTo(drain) > 0 ? value : drain;
            }
          }
          var preStop = 5;
          assertThat(((Number) spec.get("terminationGracePeriodSeconds")).longValue())
              .as(name + " terminationGracePeriodSeconds")
              .isGreaterThan(drain.toSeconds() + preStop);
        });
  }

  @Test
  void everyDeploymentHasADisruptionBudgetOverItsPods() {
    for (var deployment : ofKind("Deployment")) {
      var labels = map(map(map(deployment.get("spec")).get("selector")).get("matchLabels"));
      var budget = first("PodDisruptionBudget", name(deployment));
      assertThat(map(map(budget.get("spec")).get("selector")).get("matchLabels")).isEqualTo(labels);
    }
  }

  @Test
  void eachWorkerKindScalesOnItsOwnConsumerGroupsLag() throws IOException {
    var partitions =
        Integer.parseInt(
            ConfigurationMetadata.read(ROOT)
                .property("shuzhi.platform.topic-partitions")
                .orElseThrow()
                .defaultValue()
                .orElseThrow());
    for (var entry : WORKER_TOPICS.entrySet()) {
      var worker = entry.getKey();
      var scaled = map(first("ScaledObject", worker).get("spec"));
      assertThat(map(scaled.get("scaleTargetRef")).get("name")).isEqualTo(worker);
      assertThat((Integer) scaled.get("maxReplicaCount")).isLessThanOrEqualTo(partitions);
      var trigger = list(scaled.get("triggers")).getFirst();
      assertThat(trigger.get("type")).isEqualTo("kafka");
      var metadata = map(trigger.get("metadata"));
      assertThat(metadata.get("topic")).isEqualTo(entry.getValue());
      Map<String, Object> application =
          new Yaml()
              .load(Files.readString(ROOT.resolve(worker + "/src/main/resources/application.yml")));
      var groupId =
          map(map(map(application.get("spring")).get("kafka")).get("consumer")).get("group-id");
      assertThat(metadata.get("consumerGroup")).isEqualTo(groupId);
    }
  }

  @Test
  void theIngressPassesServerSentEventsOnAtOnceAndOutwaitsAStream() {
    var annotations = map(map(first("Ingress", "api-service").get("metadata")).get("annotations"));
    assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
    var streamLimit =
        ConfigurationMetadata.read(ROOT)
            .property("shuzhi.chat.max-connection")
            .orElseThrow()
            .defaultValue()
            .orElseThrow();
    var readTimeout =
        Long.parseLong((String) annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout"));
    assertThat(readTimeout)
        .as("read timeout beyond the stream's " + streamLimit)
        .isGreaterThan(Duration.parse("PT" + streamLimit.toUpperCase()).toSeconds());
  }

  @Test
  void theDeploymentsReadOnlyDocumentedVariables() {
    var config = map(first("ConfigMap", "shuzhi-config").get("data"));
    var readme = read(ROOT.resolve("README.md"));
    config.keySet().forEach(variable -> assertThat(readme).contains("`" + variable + "`"));
  }

  private String probePath(Map<String, Object> container, String probe) {
    var get = map(map(container.get(probe)).get("httpGet"));
    assertThat(get.get("port")).as(probe + " port").isEqualTo("management");
    return (String) get.get("path");
  }

  private Map<String, Object> first(String kind, String name) {
    return ofKind(kind).stream()
        .filter(object -> name.equals(name(object)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  private List<Map<String, Object>> ofKind(String kind) {
    return objects.stream().filter(object -> kind.equals(object.get("kind"))).toList();
  }

  private static String name(Map<String, Object> object) {
    return (String) map(object.get("metadata")).get("name");
  }

  /** Every object of every file the kustomization lists. */
  private static List<Map<String, Object>> objects() {
    Map<String, Object> kustomization = new Yaml().load(read(K8S.resolve("kustomization.yaml")));
    var objects = new ArrayList<Map<String, Object>>();
    for (var resource : (List<?>) kustomization.get("resources")) {
      var file = K8S.resolve((String) resource);
      assertThat(file).exists();
      for (var document : new Yaml().loadAll(read(file))) {
        if (document != null) {
          objects.add(map(document));
        }
      }
    }
    return objects;
  }

  private static Schema schema(String file) {
    try {
      var node =
          (ObjectNode)
              JSON.readTree(Files.readString(Path.of("src/test/resources/k8s-schemas", file)));
      // The generated files name an unversioned dialect; they are draft-07 (as is OpenAPI's v3
      // subset).
      node.remove("$schema");
      return SchemaRegistry.withDefaultDialect(Dialects.getDraft7())
          .getSchema(JSON.writeValueAsString(node), InputFormat.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  private static Path root() {
    var dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    return dir;
  }
}
