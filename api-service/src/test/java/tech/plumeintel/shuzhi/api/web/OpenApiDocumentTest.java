package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.PATH_VARIABLE;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.examples;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.list;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.map;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI description is consistent in itself and with the application's error codes: what can
 * be checked without starting the application ({@code OpenApiDocumentIT} checks the rest).
 */
class OpenApiDocumentTest {

  private static final String ERROR_SCHEMA = "#/components/schemas/Error";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final OpenApiDocument document = OpenApiDocument.fromClasspath();

  @Test
  void everyDocumentedErrorIsTheErrorShapeWithACodeAnsweredWithItsStatus() {
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
        assertThat(codes)
            .as(where + " examples")
            .isNotEmpty()
            .allSatisfy(
                code ->
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

  @Test
  void theErrorSchemaNamesExactlyTheApplicationsErrorCodes() {
    var error = document.resolve(Map.of("$ref", ERROR_SCHEMA));
    var codes = list(map(map(error.get("properties")).get("code")).get("enum"));

    assertThat(codes)
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(ErrorCode.values()).map(ErrorCode::name).toList());
    assertThat(list(error.get("required"))).containsExactlyInAnyOrder("code", "message");
  }

  @Test
  void everyJsonExampleHasItsDocumentedShape() {
    var schemas = new SchemaCheck(document);
    var problems = new ArrayList<String>();
    int checked = 0;
    for (var operation : document.operations()) {
      for (var body : document.bodies(operation).entrySet()) {
        var json = map(map(body.getValue().get("content")).get("application/json"));
        for (var example : examples(json)) {
          var where = operation.key() + " " + body.getKey() + " example ";
          schemas
              .problems(JSON.valueToTree(example), json.get("schema"))
              .forEach(problem -> problems.add(where + problem));
          checked++;
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(checked).isGreaterThan(40);
  }

  @Test
  void everyPathVariableIsADeclaredRequiredPathParameter() {
    for (var operation : document.operations()) {
      var inTemplate =
          PATH_VARIABLE
              .matcher(operation.path())
              .results()
              .map(match -> match.group(1))
              .collect(Collectors.toSet());
      var declared =
          document.parameters(operation).stream()
              .filter(parameter -> "path".equals(parameter.get("in")))
              .peek(
                  parameter ->
                      assertThat(parameter.get("required"))
                          .as(
                              "%s path parameter %s required",
                              operation.key(), parameter.get("name"))
                          .isEqualTo(true))
              .map(parameter -> String.valueOf(parameter.get("name")))
              .collect(Collectors.toSet());
      assertThat(declared).as(operation.key()).isEqualTo(inTemplate);
    }
  }

  @Test
  void everyReferenceResolves() {
    assertThat(document.references())
        .isNotEmpty()
        .allSatisfy(reference -> assertThat(document.at(reference)).as(reference).isNotNull());
  }

  @Test
  void schemasUseOnlyKeywordsTheChecksKnow() {
    var unknown = new ArrayList<String>();
    map(map(document.root().get("components")).get("schemas"))
        .forEach((name, schema) -> unknown.addAll(SchemaCheck.unknownKeywords(schema, name)));
    for (var operation : document.operations()) {
      for (var parameter : document.parameters(operation)) {
        unknown.addAll(
            SchemaCheck.unknownKeywords(
                parameter.get("schema"), operation.key() + " " + parameter.get("name")));
      }
      document
          .bodies(operation)
          .forEach(
              (label, body) ->
                  map(body.get("content"))
                      .forEach(
                          (type, media) ->
                              unknown.addAll(
                                  SchemaCheck.unknownKeywords(
                                      map(media).get("schema"), operation.key() + " " + label))));
    }
    assertThat(unknown).isEmpty();
  }
}
