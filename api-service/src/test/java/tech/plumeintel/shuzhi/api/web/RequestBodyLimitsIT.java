package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.ChatPost;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * The body limit refuses what is too big and lets every legitimate body through, chunked or not.
 */
class RequestBodyLimitsIT extends ApiIntegrationTest {

  private static final String PROFILE = "/api/user/profile/";
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A valid profile update padded with whitespace to exactly {@code size} bytes. */
  private static String profileOf(int size) {
    var json = "{\"nickname\":\"padded\",\"avatar_url\":\"\"}";
    return json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}";
  }

  @Test
  void aBodyAtTheLimitIsReadAndOneByteMoreIsRefusedWith413() {
    var token = loginAs("limits-edge");

    var atLimit = api().put(PROFILE, profileOf(RequestBodyLimits.MAX_BODY_BYTES), token);
    var over = api().put(PROFILE, profileOf(RequestBodyLimits.MAX_BODY_BYTES + 1), token);

    assertThat(atLimit.status()).isEqualTo(200);
    assertThat(atLimit.json().path("nickname").asString()).isEqualTo("padded");
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
  }

  @Test
  void aChunkedBodyIsReadLikeAnyOther() throws Exception {
    var token = loginAs("limits-chunked");
    var body = "{\"nickname\":\"分块\",\"avatar_url\":\"\"}".getBytes(StandardCharsets.UTF_8);
    // A publisher of unknown length makes the client send the body chunked.
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PROFILE))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();

    var answer = http.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body()).contains("\"nickname\":\"分块\"");
  }

  @Test
  void theLargestLegitimateChatFitsUnderTheLimit() throws Exception {
    var token = loginAs("limits-largest-chat");
    // 40 turns, 32,000 characters, every one escaped as \\uXXXX by a cautious client.
    var content = "\\u4e66".repeat(800);
    var turns = Collections.nCopies(40, "{\"role\":\"user\",\"content\":\"" + content + "\"}");
    var body =
        "{\"isbn\":\"" + TestIsbns.next() + "\",\"messages\":[" + String.join(",", turns) + "]}";
    assertThat(body.length()).isLessThan(RequestBodyLimits.MAX_BODY_BYTES);

    var answer =
        http.send(
            ChatPost.to(port, token, body).build(), HttpResponse.BodyHandlers.ofInputStream());

    try (var stream = answer.body()) {
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.headers().firstValue("X-Request-Id")).isPresent();
    }
  }
}
