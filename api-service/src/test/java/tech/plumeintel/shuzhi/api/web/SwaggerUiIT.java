package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tools.jackson.databind.json.JsonMapper;

class SwaggerUiIT extends ApiIntegrationTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void isOffUnlessConfigured() throws Exception {
    assertThat(get(port, "/swagger-ui/index.html").statusCode()).isEqualTo(404);
    assertThat(get(port, "/v3/api-docs/swagger-config").statusCode()).isEqualTo(404);
  }

  @Test
  void whenEnabledShowsTheHandWrittenDocumentAndGeneratesNone() throws Exception {
    try (var api = new AnotherApiInstance(Map.of("shuzhi.swagger-ui.enabled", "true"))) {
      var page = get(api.port(), "/swagger-ui/index.html");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("swagger-ui");

      var config = get(api.port(), "/v3/api-docs/swagger-config");
      assertThat(config.statusCode()).isEqualTo(200);
      assertThat(JsonMapper.builder().build().readTree(config.body()).path("url").asString())
          .isEqualTo("/openapi.yaml");

      // The UI reads the document we write by hand; springdoc's own describes nothing.
      var generated = get(api.port(), "/v3/api-docs");
      if (generated.statusCode() == 200) {
        assertThat(JsonMapper.builder().build().readTree(generated.body()).path("paths").size())
            .isZero();
      }
      assertThat(get(api.port(), "/openapi.yaml").statusCode()).isEqualTo(200);
      // Outside /api/: no token is needed to read the page, and it grants nothing.
      assertThat(get(api.port(), "/api/user/profile/").statusCode()).isEqualTo(401);
    }
  }

  private static HttpResponse<String> get(int port, String path)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
