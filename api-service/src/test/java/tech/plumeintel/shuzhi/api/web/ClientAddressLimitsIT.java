package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * The per-address limits (chats and logins, refreshes taking the login limit) with the address as
 * the API sees it: the peer's own, unless the peer is a proxy named in {@code
 * SHUZHI_TRUSTED_PROXIES}. Each test calls from its own loopback address (127.x.y.z all reach the
 * API on Linux) or names its own forwarded addresses, so the buckets that other tests left in the
 * shared Redis never count.
 */
class ClientAddressLimitsIT extends ApiIntegrationTest {

  private static final int PER_ADDRESS = 3;
  private static AnotherApiInstance direct;
  private static AnotherApiInstance behindProxy;

  private static Map<String, String> lowLimits() {
    return Map.of(
        "shuzhi.limits.chat-per-minute-per-address", Integer.toString(PER_ADDRESS),
        "shuzhi.limits.login-per-minute", Integer.toString(PER_ADDRESS),
        "shuzhi.chat.pickup-timeout", "1s");
  }

  private static synchronized int directPort() {
    if (direct == null) {
      direct = new AnotherApiInstance(lowLimits());
    }
    return direct.port();
  }

  private static synchronized int behindProxyPort() {
    if (behindProxy == null) {
      var properties = new java.util.HashMap<>(lowLimits());
      properties.put("shuzhi.trusted-proxies", "127.0.0.1");
      behindProxy = new AnotherApiInstance(properties);
    }
    return behindProxy.port();
  }

  @AfterAll
  static void stopInstances() {
    if (direct != null) {
      direct.close();
    }
    if (behindProxy != null) {
      behindProxy.close();
    }
  }

  /** A loopback address no other test calls from. */
  private static InetAddress freshPeer() throws Exception {
    var random = ThreadLocalRandom.current();
    return InetAddress.getByName(
        "127."
            + random.nextInt(1, 255)
            + "."
            + random.nextInt(0, 256)
            + "."
            + random.nextInt(1, 255));
  }

  private static String freshForwarded() {
    var random = ThreadLocalRandom.current();
    return "198.18." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
  }

  private static int post(
      InetAddress from, int port, String path, String body, String forwardedFor, String token)
      throws Exception {
    var http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .localAddress(from)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    var request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", forwardedFor)
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try (http) {
      var response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      return response.statusCode();
    }
  }

  private int login(InetAddress from, int port, String forwardedFor) throws Exception {
    var code = "addr-" + System.nanoTime();
    WECHAT.accept(code, "openid-addr-" + System.nanoTime());
    return post(
        from, port, "/api/auth/login/wechat/", "{\"code\":\"" + code + "\"}", forwardedFor, null);
  }

  private int chat(InetAddress from, int port, String forwardedFor, String token) throws Exception {
    var body =
        "{\"isbn\":\""
            + TestIsbns.next()
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}";
    return post(from, port, "/api/chat/stream/", body, forwardedFor, token);
  }

  @Test
  void withoutATrustedProxyASpoofedForwardedForDoesNotEscapeTheLoginLimit() throws Exception {
    var port = directPort();
    var peer = freshPeer();
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(login(peer, port, freshForwarded())).as("login %d", i + 1).isEqualTo(200);
    }

    assertThat(login(peer, port, freshForwarded())).isEqualTo(429);
    assertThat(login(freshPeer(), port, freshForwarded()))
        .as("another peer has its own bucket")
        .isEqualTo(200);
  }

  @Test
  void withoutATrustedProxyASpoofedForwardedForDoesNotEscapeTheChatLimit() throws Exception {
    var port = directPort();
    var peer = freshPeer();
    var token = loginAs("addr-chatter-" + System.nanoTime());
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(chat(peer, port, freshForwarded(), token)).as("chat %d", i + 1).isEqualTo(200);
    }

    assertThat(chat(peer, port, freshForwarded(), token)).isEqualTo(429);
  }

  @Test
  void refreshesTakeTheLoginLimitOfTheirAddress() throws Exception {
    var port = directPort();
    var peer = freshPeer();
    var body = "{\"refresh_token\":\"guess-" + System.nanoTime() + "\"}";
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(post(peer, port, "/api/auth/token/refresh/", body, freshForwarded(), null))
          .as("refresh %d", i + 1)
          .isEqualTo(401);
    }

    assertThat(post(peer, port, "/api/auth/token/refresh/", body, freshForwarded(), null))
        .isEqualTo(429);
  }

  @Test
  void behindATrustedProxyEachForwardedClientHasItsOwnBuckets() throws Exception {
    var port = behindProxyPort();
    var proxy = InetAddress.getByName("127.0.0.1");
    var client = freshForwarded();
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(login(proxy, port, client)).as("login %d", i + 1).isEqualTo(200);
    }
    assertThat(login(proxy, port, client)).isEqualTo(429);
    assertThat(login(proxy, port, freshForwarded()))
        .as("another client behind the same proxy")
        .isEqualTo(200);
    assertThat(login(proxy, port, "203.0.113.9, " + freshForwarded()))
        .as("what the client itself put before the proxy's entry is not believed")
        .isEqualTo(200);

    var token = loginAs("addr-proxied-" + System.nanoTime());
    var chatter = freshForwarded();
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(chat(proxy, port, chatter, token)).as("chat %d", i + 1).isEqualTo(200);
    }
    assertThat(chat(proxy, port, chatter, token)).isEqualTo(429);
    assertThat(chat(proxy, port, freshForwarded(), token)).isEqualTo(200);
  }

  @Test
  void aSpoofedForwardedForFromAnUntrustedPeerIsIgnoredEvenWhenAProxyIsTrusted() throws Exception {
    var port = behindProxyPort();
    var untrusted = freshPeer();
    for (int i = 0; i < PER_ADDRESS; i++) {
      assertThat(login(untrusted, port, freshForwarded())).as("login %d", i + 1).isEqualTo(200);
    }

    assertThat(login(untrusted, port, freshForwarded())).isEqualTo(429);
  }
}
