package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.list;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.map;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * The served OpenAPI description against the running application, so that docs cannot drift from
 * code: the same endpoints and methods, the contract's error shape, the same open endpoints.
 */
class OpenApiDocumentIT extends ApiIntegrationTest {

  private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}]+)}");
  private static final String ERROR_SCHEMA = "#/components/schemas/Error";

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private OpenApiDocument document() {
    var answer = api().get(OpenApiController.PATH, null);
    assertThat(answer.status()).isEqualTo(200);
    return OpenApiDocument.parse(answer.body());
  }

  @Test
  void isServedAsYamlWithoutATokenAndRevalidatedByEtag() {
    var answer = api().get(OpenApiController.PATH, null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/yaml");
    assertThat(answer.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(OpenApiDocument.parse(answer.body()).root().get("openapi")).asString()
        .startsWith("3.1.");
    var etag = answer.header("ETag");
    assertThat(etag).isNotBlank();
    var again =
        api().send("GET", OpenApiController.PATH, null, null, Map.of("If-None-Match", etag));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void documentsExactlyTheEndpointsAndMethodsTheApplicationServesUnderApi() {
    var served = new TreeSet<String>();
    mappings.getHandlerMethods().keySet().forEach(info -> {
      var methods = info.getMethodsCondition().getMethods();
      for (var pattern : info.getPatternValues()) {
        if (!pattern.startsWith("/api/")) {
          continue;
        }
        // A mapping open to every method would need every method documented; name them instead.
        if (methods.isEmpty()) {
          served.add("ANY " + shape(pattern));
        }
        methods.forEach(method -> served.add(method.name() + " " + shape(pattern)));
      }
    });
    var documented = document().operations().stream()
        .map(operation -> shape(operation.key()))
        .collect(Collectors.toCollection(TreeSet::new));

    assertThat(served).as("the test reads the application's mappings").contains(
        "POST /api/auth/login/wechat/", "GET /api/books/{}/", "POST /api/chat/stream/",
        "DELETE /api/user/collections/{}/");
    var undocumented = new TreeSet<>(served);
    undocumented.removeAll(documented);
    var unserved = new TreeSet<>(documented);
    unserved.removeAll(served);
    assertThat(undocumented).as("served but missing from openapi.yaml").isEmpty();
    assertThat(unserved).as("in openapi.yaml but not served").isEmpty();
  }

  /** Path variables' names are not on the wire: {@code {taskId}} and {@code {task_id}} are one. */
  private static String shape(String path) {
    return PATH_VARIABLE.matcher(path).replaceAll("{}");
  }

  @Test
  void everyPathVariableIsADeclaredRequiredPathParameter() {
    var document = document();
    for (var operation : document.operations()) {
      var inTemplate = PATH_VARIABLE.matcher(operation.path()).results()
          .map(match -> match.group(1)).collect(Collectors.toSet());
      var declared = document.parameters(operation).stream()
          .filter(parameter -> "path".equals(parameter.get("in")))
          .peek(parameter -> assertThat(parameter.get("required"))
              .as("%s path parameter %s required", operation.key(), parameter.get("name"))
              .isEqualTo(true))
          .map(parameter -> String.valueOf(parameter.get("name")))
          .collect(Collectors.toSet());
      assertThat(declared).as(operation.key()).isEqualTo(inTemplate);
    }
  }

  @Test
  void everyReferenceResolves() {
    var document = document();
    assertThat(document.references()).isNotEmpty()
        .allSatisfy(reference -> assertThat(document.at(reference)).as(reference).isNotNull());
  }

  @Test
  void schemasUseOnlyKeywordsTheChecksKnow() {
    var document = document();
    var unknown = new ArrayList<String>();
    map(map(document.root().get("components")).get("schemas")).forEach((name, schema) ->
        unknown.addAll(SchemaCheck.unknownKeywords(schema, name)));
    for (var operation : document.operations()) {
      for (var parameter : document.parameters(operation)) {
        unknown.addAll(SchemaCheck.unknownKeywords(parameter.get("schema"),
            operation.key() + " " + parameter.get("name")));
      }
      var bodies = new ArrayList<Map<String, Object>>();
      bodies.add(document.resolve(operation.node().getOrDefault("requestBody", Map.of())));
      bodies.addAll(document.responses(operation).values());
      for (var body : bodies) {
        map(body.get("content")).forEach((type, media) -> unknown.addAll(
            SchemaCheck.unknownKeywords(map(media).get("schema"), operation.key() + " " + type)));
      }
    }
    assertThat(unknown).isEmpty();
  }

  @Test
  void everyDocumentedErrorIsTheErrorShapeWithACodeAnsweredWithItsStatus() {
    var document = document();
    int checked = 0;
    for (var operation : document.operations()) {
      for (var entry : document.responses(operation).entrySet()) {
        var status = entry.getKey();
        if (!status.startsWith("4") && !status.startsWith("5")) {
          continue;
        }
        var where = operation.key() + " " + status;
        var response = entry.getValue();
        var content = map(response.get("content"));
        assertThat(content.keySet()).as(where).containsExactly("application/json");
        var json = map(content.get("application/json"));
        assertThat(map(json.get("schema")).get("$ref")).as(where).isEqualTo(ERROR_SCHEMA);
        var codes = examples(json).stream().map(example -> map(example).get("code")).toList();
        assertThat(codes).as(where + " examples").isNotEmpty().allSatisfy(code ->
            assertThat(ErrorCode.valueOf(String.valueOf(code)).status().value())
                .as(where + " " + code)
                .isEqualTo(Integer.parseInt(status)));
        if (status.equals("429")) {
          assertThat(map(response.get("headers"))).as(where).containsKey("Retry-After");
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(40);
  }

  private static List<Object> examples(Map<String, Object> mediaType) {
    var examples = new ArrayList<Object>();
    if (mediaType.containsKey("example")) {
      examples.add(mediaType.get("example"));
    }
    map(mediaType.get("examples")).values()
        .forEach(example -> examples.add(map(example).get("value")));
    return examples;
  }

  @Test
  void theErrorSchemaNamesExactlyTheApplicationsErrorCodes() {
    var error = document().resolve(Map.of("$ref", ERROR_SCHEMA));
    var codes = list(map(map(error.get("properties")).get("code")).get("enum"));

    assertThat(codes).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList());
    assertThat(list(error.get("required"))).containsExactlyInAnyOrder("code", "message");
  }

  @Test
  void operationsDocumentedWithoutSecurityAreExactlyTheOnesThatNeedNoToken() {
    var document = document();
    var globalSecurity = document.root().get("security");
    assertThat(list(globalSecurity)).as("bearer by default").isNotEmpty();
    Set<String> open = new TreeSet<>();
    for (var operation : document.operations()) {
      var security = operation.node().getOrDefault("security", globalSecurity);
      var path = PATH_VARIABLE.matcher(operation.path())
          .replaceAll(match -> match.group(1).equals("isbn") ? TestIsbns.next() : "x");
      var body = Set.of("post", "put").contains(operation.method()) ? "{}" : null;
      var answer = api().send(operation.method().toUpperCase(), path, body, null, Map.of());
      if (list(security).isEmpty()) {
        open.add(operation.key());
        assertThat(answer.status()).as(operation.key() + " without a token").isNotEqualTo(401);
      } else {
        assertThat(answer.status()).as(operation.key() + " without a token").isEqualTo(401);
        assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
      }
    }
    assertThat(open).containsExactlyInAnyOrder(
        "POST /api/auth/login/wechat/", "POST /api/auth/token/refresh/");
  }
}
