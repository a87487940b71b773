package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.PATH_VARIABLE;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.list;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * The served OpenAPI description against the running application, so that docs cannot drift from
 * code: the same endpoints and methods, the same endpoints open without a token. Its own
 * consistency and the error shape are {@code OpenApiDocumentTest}'s; real answers' shapes are
 * {@code DocumentedAnswersIT}'s.
 */
class OpenApiDocumentIT extends ApiIntegrationTest {

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
    assertThat(OpenApiDocument.parse(answer.body()).root().get("openapi"))
        .asString()
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
    mappings
        .getHandlerMethods()
        .keySet()
        .forEach(
            info -> {
              var methods = info.getMethodsCondition().getMethods();
              for (var pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/")) {
                  continue;
                }
                // A mapping open to every method would need every method documented; name them
                // instead.
                if (methods.isEmpty()) {
                  served.add("ANY " + shape(pattern));
                }
                methods.forEach(method -> served.add(method.name() + " " + shape(pattern)));
              }
            });
    var documented =
        document().operations().stream()
            .map(operation -> shape(operation.key()))
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(served)
        .as("the test reads the application's mappings")
        .contains(
            "POST /api/auth/login/wechat/",
            "GET /api/books/{}/",
            "POST /api/chat/stream/",
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
  void operationsDocumentedWithoutSecurityAreExactlyTheOnesThatNeedNoToken() {
    var document = document();
    var globalSecurity = document.root().get("security");
    assertThat(list(globalSecurity)).as("bearer by default").isNotEmpty();
    Set<String> open = new TreeSet<>();
    for (var operation : document.operations()) {
      var security = operation.node().getOrDefault("security", globalSecurity);
      var path =
          PATH_VARIABLE
              .matcher(operation.path())
              .replaceAll(match -> match.group(1).equals("isbn") ? TestIsbns.next() : "x");
      var body = Set.of("post", "put").contains(operation.method()) ? "{}" : null;
      var method = operation.method().toUpperCase(Locale.ROOT);
      var answer = api().send(method, path, body, null, Map.of());
      if (list(security).isEmpty()) {
        open.add(operation.key());
        assertThat(answer.status()).as(operation.key() + " without a token").isNotEqualTo(401);
      } else {
        assertThat(answer.status()).as(operation.key() + " without a token").isEqualTo(401);
        assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
      }
    }
    assertThat(open)
        .containsExactlyInAnyOrder("POST /api/auth/login/wechat/", "POST /api/auth/token/refresh/");
  }
}
