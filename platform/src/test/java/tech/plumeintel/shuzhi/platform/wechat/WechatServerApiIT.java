package tech.plumeintel.shuzhi.platform.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.RawTcpServer;

/** The HTTP side of the WeChat calls, against servers that behave as real ones sometimes do. */
class WechatServerApiIT {

  private static final String PASS =
      "{\"errcode\":0,\"errmsg\":\"ok\",\"result\":{\"suggest\":\"pass\",\"label\":100}}";

  private final AtomicInteger answered = new AtomicInteger();

  /**
   * Answers one request per connection, keep-alive as HTTP/1.1 has it by default, then closes the
   * connection without saying so (no {@code Connection: close}).
   */
  private final RawTcpServer server = new RawTcpServer(this::answerOnce);

  @AfterEach
  void close() throws IOException {
    server.close();
  }

  @Test
  void aKeptAliveConnectionTheServerClosedIsNotAFailedCheck() throws Exception {
    try (var api =
        new WechatServerApi(properties(URI.create("http://127.0.0.1:" + server.port())))) {
      for (int i = 0; i < 5; i++) {
        assertThat(api.msgSecCheck("token", "openid", 2, "你好", Duration.ofSeconds(2)))
            .isEqualTo(Verdict.PASS);
        // Time for the server's close to arrive: the next call then finds the pooled connection
        // closed, as after a server's idle timeout.
        Thread.sleep(50);
      }
    }
    assertThat(answered.get()).isEqualTo(5);
    assertThat(server.connections()).isGreaterThanOrEqualTo(5);
  }

  private static WechatServerProperties properties(URI baseUrl) {
    return new WechatServerProperties(
        "wx-app",
        "secret",
        baseUrl,
        Duration.ofSeconds(2),
        Duration.ofSeconds(2),
        Duration.ofMinutes(3),
        Duration.ofSeconds(5));
  }

  private void answerOnce(Socket connection) throws IOException {
    var in = connection.getInputStream();
    int length = 0;
    for (String line; !(line = readLine(in)).isEmpty(); ) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    in.readNBytes(length);
    var body = PASS.getBytes(StandardCharsets.UTF_8);
    var out = connection.getOutputStream();
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    answered.incrementAndGet();
  }

  private static String readLine(InputStream in) throws IOException {
    var line = new StringBuilder();
    for (int b; (b = in.read()) != -1 && b != '\n'; ) {
      if (b != '\r') {
        line.append((char) b);
      }
    }
    return line.toString();
  }
}
