package tech.plumeintel.shuzhi.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks docker-compose.yml where no Docker engine runs: against the Compose specification's JSON
 * schema (vendored from compose-spec/compose-spec, schema/compose-spec.json), then for what the
 * schema cannot see: references between services, the files they mount, the modules they build, the
 * variables they read, and the Prometheus and Grafana files of the observability profile.
 */
class ComposeFileTest {

  /** CONTRACT §3: what operators configure the services with. */
  static final Set<String> CONTRACT_VARIABLES =
      Set.of(
          "SPRING_KAFKA_BOOTSTRAP_SERVERS",
          "SPRING_DATA_REDIS_URL",
          "SPRING_DATA_MONGODB_URI",
          "SHUZHI_JWT_SECRET",
          "SHUZHI_WECHAT_APP_ID",
          "SHUZHI_WECHAT_APP_SECRET",
          "SHUZHI_WECHAT_BASE_URL",
          "SHUZHI_BOOKS_DOUBAN_BASE_URL",
          "SHUZHI_BOOKS_OPENLIBRARY_BASE_URL",
          "SHUZHI_BOOKS_OPENLIBRARY_COVERS_BASE_URL",
          "SHUZHI_BOOKS_GOOGLE_BASE_URL",
          "SHUZHI_LLM_BASE_URL",
          "SHUZHI_LLM_API_KEY",
          "SHUZHI_LLM_MODEL");

  /** CONTRACT §3: the management port of each service (health and Prometheus). */
  static final Map<String, Integer> MANAGEMENT_PORTS =
      Map.of("api-service", 8090, "fetch-worker", 8081, "chat-worker", 8082);

  static final List<String> DASHBOARD_METRICS =
      List.of(
          "http_server_requests_seconds",
          "shuzhi_books_lookups_total",
          "shuzhi_books_fetches_total",
          "kafka_consumer_fetch_manager_records_lag_max",
          "shuzhi_llm_first_token_seconds",
          "shuzhi_llm_tokens_total",
          "shuzhi_chat_streams_active",
          "shuzhi_ratelimit_rejections_total",
          "shuzhi_llm_upstream_requests_total",
          "shuzhi_llm_upstream_failovers_total",
          "shuzhi_llm_upstream_continuations_total",
          "resilience4j_circuitbreaker_state",
          "shuzhi_llm_upstream_keys_usable",
          "shuzhi_llm_upstream_first_token_seconds",
          "shuzhi_llm_upstream_tokens_total",
          "shuzhi_content_security_checks_total",
          "shuzhi_content_security_failures_total");

  private static final Path ROOT = repositoryRoot();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml"));
  private final Map<String, Map<String, Object>> services = mapOfMaps(compose.get("services"));

  @Test
  void isValidAgainstTheComposeSpecification() throws IOException {
    var schemaNode =
        JSON.readTree(Files.readString(Path.of("src/test/resources/compose-spec.json")));
    // The spec names its dialect without the trailing '#' that validators key on (it is draft-07),
    // and its $id is relative, which the validator rejects as a base URI.
    var root = (ObjectNode) schemaNode;
    root.remove("$schema");
    root.put(
        "$id",
        "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json");
    // ...and it uses draft 2019-09's "deprecated" annotation, which draft-07 does not know.
    var draft7 =
        Dialect.builder(Dialects.getDraft7())
            .keyword(new NonValidationKeyword("deprecated"))
            .build();
    var schema =
        SchemaRegistry.withDefaultDialect(draft7)
            .getSchema(JSON.writeValueAsString(schemaNode), InputFormat.JSON);
    var errors =
        schema.validate(JSON.writeValueAsString(JSON.valueToTree(compose)), InputFormat.JSON);
    assertThat(errors).extracting(e -> e.getInstanceLocation() + ": " + e.getMessage()).isEmpty();
  }

  @Test
  void dependenciesNameServicesThatCanSatisfyTheirCondition() {
    services.forEach(
        (name, service) ->
            dependsOn(service)
                .forEach(
                    (target, dependency) -> {
                      assertThat(services).as(name + " depends on " + target).containsKey(target);
                      var condition = dependency.get("condition");
                      if ("service_healthy".equals(condition)) {
                        assertThat(services.get(target))
                            .as(target + " needs a healthcheck")
                            .containsKey("healthcheck");
                      } else if ("service_completed_successfully".equals(condition)) {
                        assertThat(services.get(target).get("restart"))
                            .as(target + " is one-shot")
                            .isEqualTo("no");
                      }
                    }));
  }

  @Test
  void everyLongRunningServiceHasAHealthcheckAndNoContainerName() {
    services.forEach(
        (name, service) -> {
          assertThat(service).as(name).doesNotContainKey("container_name");
          if (!"no".equals(service.get("restart"))) {
            assertThat(service).as(name + " healthcheck").containsKey("healthcheck");
          }
        });
  }

  @Test
  void workersPublishNoHostPortSoTheyScale() {
    assertThat(services.get("fetch-worker")).doesNotContainKey("ports");
    assertThat(services.get("chat-worker")).doesNotContainKey("ports");
    assertThat(services.get("api-service").get("ports")).asList().containsExactly("8080:8080");
  }

  @Test
  void servicesBuiltHereNameARealRunnableModuleAndTheRootDockerfile() throws IOException {
    var rootPom = Files.readString(ROOT.resolve("pom.xml"));
    var dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(dockerfile).contains("ARG MODULE");
    assertThat(builtHere()).containsOnlyKeys(MANAGEMENT_PORTS.keySet());
    builtHere()
        .forEach(
            (name, module) -> {
              assertThat(module).as(name + " builds its own module").isEqualTo(name);
              assertThat(rootPom).contains("<module>" + module + "</module>");
              assertThat(read(ROOT.resolve(module).resolve("pom.xml")))
                  .contains("spring-boot-maven-plugin");
              var healthcheck =
                  String.join(
                      " ",
                      stringList(((Map<?, ?>) services.get(name).get("healthcheck")).get("test")));
              assertThat(healthcheck)
                  .contains("/dev/tcp/127.0.0.1/" + MANAGEMENT_PORTS.get(name) + " ")
                  .contains("/actuator/health");
            });
  }

  @Test
  void servicesBuiltHereReadOnlyDocumentedVariablesAndTheReadmeDocumentsTheContract() {
    var documented = readmeConfigurationVariables();
    assertThat(documented).containsAll(CONTRACT_VARIABLES);
    builtHere()
        .keySet()
        .forEach(
            name ->
                assertThat(mapOf(services.get(name).get("environment")).keySet())
                    .as(name + " environment")
                    .isSubsetOf(documented));
  }

  @Test
  void kafkaTopicsAreTheSameAsInTheLocalRun() {
    var script = String.join("\n", stringList(services.get("kafka-topics").get("command")));
    assertThat(LocalKafka.TOPICS)
        .allSatisfy(
            topic ->
                assertThat(script).containsPattern("(^|\\s)" + Pattern.quote(topic) + "(\\s|;|$)"));
    assertThat(script).contains("--partitions " + LocalKafka.PARTITIONS);
  }

  @Test
  void mountedFilesExistInTheRepository() {
    services.forEach(
        (name, service) ->
            stringList(service.getOrDefault("volumes", List.of())).stream()
                .filter(volume -> volume.startsWith("./"))
                .forEach(
                    volume ->
                        assertThat(ROOT.resolve(volume.substring(2, volume.indexOf(':'))))
                            .as(name + " mounts " + volume)
                            .exists()));
  }

  @Test
  void prometheusScrapesEveryReplicaOfEveryServiceOnItsManagementPort() {
    var config = yaml(ROOT.resolve("ops/prometheus/prometheus.yml"));
    var scraped = new LinkedHashMap<String, Integer>();
    for (var job : listOfMaps(config.get("scrape_configs"))) {
      assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
      for (var sd : listOfMaps(job.get("dns_sd_configs"))) {
        for (var target : stringList(sd.get("names"))) {
          assertThat(services).as("scrape target " + target).containsKey(target);
          scraped.put(target, (Integer) sd.get("port"));
        }
      }
    }
    assertThat(scraped).isEqualTo(MANAGEMENT_PORTS);
  }

  @Test
  void grafanaDashboardParsesAndShowsTheOperatorMetrics() throws IOException {
    var dashboard =
        JSON.readTree(Files.readString(ROOT.resolve("ops/grafana/dashboards/shuzhi.json")));
    var datasource = yaml(ROOT.resolve("ops/grafana/provisioning/datasources/prometheus.yml"));
    var uid = listOfMaps(datasource.get("datasources")).getFirst().get("uid");
    var expressions = new ArrayList<String>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(panel.path("datasource").path("uid").asString()).isEqualTo(uid);
      panel.path("targets").forEach(target -> expressions.add(target.path("expr").asString()));
    }
    var all = String.join("\n", expressions);
    assertThat(DASHBOARD_METRICS).allSatisfy(metric -> assertThat(all).contains(metric));
    assertThat(services.get("grafana").get("profiles")).asList().containsExactly("observability");
    assertThat(services.get("prometheus").get("profiles"))
        .asList()
        .containsExactly("observability");
  }

  /** The long form of depends_on; the short form (a list of names) means "service_started". */
  private static Map<String, Map<String, Object>> dependsOn(Map<String, Object> service) {
    var value = service.get("depends_on");
    if (value instanceof List<?> names) {
      var longForm = new LinkedHashMap<String, Map<String, Object>>();
      names.forEach(n -> longForm.put((String) n, Map.of("condition", "service_started")));
      return longForm;
    }
    return mapOfMaps(value);
  }

  /** Service name to the MODULE it is built from, for services with a build section. */
  private Map<String, String> builtHere() {
    var built = new LinkedHashMap<String, String>();
    services.forEach(
        (name, service) -> {
          if (service.get("build") instanceof Map<?, ?> build) {
            assertThat(build.get("context")).as(name + " build context").isEqualTo(".");
            built.put(name, (String) mapOf(build.get("args")).get("MODULE"));
          }
        });
    return built;
  }

  /** Every {@code `NAME`} in the first column of the README's configuration table. */
  private static Set<String> readmeConfigurationVariables() {
    var readme = read(ROOT.resolve("README.md"));
    int start = readme.indexOf("\n## Configuration");
    assertThat(start).as("README has a Configuration section").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    var section = readme.substring(start, end < 0 ? readme.length() : end);
    var names = new LinkedHashSet<String>();
    for (var line : section.lines().filter(l -> l.startsWith("|")).toList()) {
      var firstCell = line.split("\\|")[1];
      var matcher = Pattern.compile("`([A-Z][A-Z0-9_]+)`").matcher(firstCell);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  private static Path repositoryRoot() {
    var dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a parent directory with docker-compose.yml").isNotNull();
    return dir;
  }

  private static Map<String, Object> yaml(Path file) {
    return new Yaml().load(read(file));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> mapOf(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> mapOfMaps(Object value) {
    return value == null ? Map.of() : (Map<String, Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> listOfMaps(Object value) {
    return value == null ? List.of() : (List<Map<String, Object>>) value;
  }

  @SuppressWarnings("unchecked")
  private static List<String> stringList(Object value) {
    return value instanceof List<?> list ? (List<String>) list : List.of(String.valueOf(value));
  }
}
