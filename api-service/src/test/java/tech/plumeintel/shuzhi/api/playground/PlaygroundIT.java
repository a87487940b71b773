package tech.plumeintel.shuzhi.api.playground;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;

/**
 * The playground exists only when enabled (off by default); the page it serves runs the SDK core
 * copied from {@code clients/miniprogram} at build time. The page itself is driven in a real
 * browser by system-tests' {@code MiniProgramSdkIT}.
 */
class PlaygroundIT extends ApiIntegrationTest {

  @Test
  void offByDefaultThePlaygroundIsAnOrdinaryNotFoundInTheErrorShape() {
    for (var path :
        new String[] {"/playground/", "/playground/sdk/core.js", "/playground/index.html"}) {
      var answer = api().get(path, null);
      assertThat(answer.status()).as(path).isEqualTo(404);
      assertThat(answer.json().path("code").asString()).isEqualTo("NOT_FOUND");
    }
  }

  @Test
  void enabledItServesThePageAndTheSdkCoreItRunsOnAndNothingElse() throws Exception {
    try (var enabled = new AnotherApiInstance(Map.of("shuzhi.playground.enabled", "true"))) {
      var http = new JsonHttp(enabled.port());
      var page = http.get("/playground/", null);
      assertThat(page.status()).isEqualTo(200);
      assertThat(page.header("Content-Type")).startsWith("text/html");
      assertThat(page.body()).contains("/playground/sdk/core.js");
      var core = http.get("/playground/sdk/core.js", null);
      assertThat(core.status()).isEqualTo(200);
      assertThat(core.header("Content-Type")).startsWith("text/javascript");
      assertThat(core.body()).contains("function createClient(");
      assertThat(http.get("/playground/sdk/sse.js", null).body()).contains("SseParser");
      for (var path : new String[] {"/playground/application.yml", "/playground/sdk/wx.js"}) {
        assertThat(http.get(path, null).status()).as(path).isEqualTo(404);
      }
    }
  }
}
