package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.core.io.ClassPathResource;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;

/**
 * What the connector's small per-connection buffers ({@link LeanHttp11Protocol}) must not change:
 * headers up to the documented 6 KB are served, larger ones get the contract's JSON error, and
 * answers many times larger than every buffer arrive whole.
 */
class ConnectionBuffersIT extends ApiIntegrationTest {

  @Autowired private ServletWebServerApplicationContext context;

  @Test
  void theRunningConnectorHasTheSmallBuffersAndABoundedChannelCache() {
    var protocol =
        (Http11NioProtocol)
            ((TomcatWebServer) context.getWebServer())
                .getTomcat()
                .getConnector()
                .getProtocolHandler();

    assertThat(protocol).isInstanceOf(LeanHttp11Protocol.class);
    assertThat(protocol.getProperty("socket.appReadBufSize"))
        .isEqualTo(String.valueOf(ConnectionBuffers.SOCKET_READ_BUFFER));
    assertThat(protocol.getProperty("socket.appWriteBufSize"))
        .isEqualTo(String.valueOf(ConnectionBuffers.SOCKET_WRITE_BUFFER));
    assertThat(protocol.getMaxTrailerSize()).isEqualTo(ConnectionBuffers.MAX_TRAILER_SIZE);
    assertThat(protocol.getProperty("socket.bufferPool"))
        .isEqualTo(String.valueOf(ConnectionBuffers.CACHED_CHANNELS));
    // Tomcat names every new processor for JMX under the protocol's domain: with none, none.
    assertThat(protocol.getDomain()).isNull();
  }

  @Test
  void requestHeadersUpToTheLimitAreServed() {
    var token = loginAs("buffers-headers");

    var answer =
        api()
            .send(
                "GET",
                "/api/user/profile/",
                null,
                token,
                Map.of("X-Padding", "a".repeat(5 * 1024)));

    assertThat(answer.status()).isEqualTo(200);
  }

  @Test
  void requestHeadersBeyondTheLimitGetTheContractsJsonError() {
    var token = loginAs("buffers-too-large");

    var answer =
        api()
            .send(
                "GET",
                "/api/user/profile/",
                null,
                token,
                Map.of("X-Padding", "a".repeat(6 * 1024)));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(answer.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
  }

  @Test
  void theLargestResponseHeadersFitTheResponseHeaderBuffer() {
    // A preflight answer carries the most headers we send: they must fit in 1 KB, or Tomcat would
    // answer 500.
    var answer =
        api()
            .send(
                "OPTIONS",
                "/api/chat/stream/",
                null,
                null,
                Map.of(
                    "Origin",
                    "https://sealos.plumeintel.tech",
                    "Access-Control-Request-Method",
                    "POST",
                    "Access-Control-Request-Headers",
                    "authorization,content-type,accept,last-event-id"));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Access-Control-Allow-Headers")).containsIgnoringCase("last-event-id");
    assertThat(
            answer.headers().map().entrySet().stream()
                .mapToInt(e -> e.getKey().length() + 4 + String.join(", ", e.getValue()).length())
                .sum())
        .isLessThan(700);
  }

  @Test
  void anAnswerLargerThanEveryBufferArrivesWhole() throws Exception {
    var document =
        new String(
            new ClassPathResource("openapi.yaml").getContentAsByteArray(), StandardCharsets.UTF_8);
    assertThat(document.length()).isGreaterThan(8 * ConnectionBuffers.SOCKET_WRITE_BUFFER);

    var answer = api().get(OpenApiController.PATH, null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo(document);
  }
}
