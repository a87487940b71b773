package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.ChatPost;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

class LimitsIT extends ApiIntegrationTest {

  private static AnotherApiInstance secondInstance;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Autowired StringRedisTemplate redis;

  private static synchronized int secondInstancePort() {
    if (secondInstance == null) {
      secondInstance =
          new AnotherApiInstance(
              Map.of(
                  "shuzhi.chat.pickup-timeout",
                  "1s",
                  "shuzhi.limits.chat-per-minute-per-address",
                  "100000"));
    }
    return secondInstance.port();
  }

  @AfterAll
  static void stopSecondInstance() {
    if (secondInstance != null) {
      secondInstance.close();
    }
  }

  private int startChat(int apiPort, String token) throws Exception {
    var response =
        http.send(
            ChatPost.to(apiPort, token, ChatPost.question()).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response.statusCode();
  }

  private JsonHttp.Answer startChatWithIsbn(String token, String isbn) {
    return api()
        .post(
            "/api/chat/stream/",
            Map.of("isbn", isbn, "messages", List.of(Map.of("role", "user", "content", "q"))),
            token);
  }

  @Test
  void requestsRefusedAsInvalidDoNotCountAgainstTheReadersChats() throws Exception {
    var token = loginAs("limit-mistaken");

    for (int i = 0; i < 61; i++) {
      assertThat(startChatWithIsbn(token, "not-an-isbn").status())
          .as("request %d", i)
          .isEqualTo(400);
    }

    assertThat(startChat(port, token)).isEqualTo(200);
    assertThat(streamsRecordedFor(token)).isEqualTo(1);
  }

  @Test
  void theSixtyFirstChatOfAMinuteIsRefusedAcrossTwoInstances() throws Exception {
    var token = loginAs("limit-chatter");
    var otherPort = secondInstancePort();
    var calls = new ArrayList<Callable<Integer>>();
    for (int i = 0; i < 60; i++) {
      var target = i % 2 == 0 ? port : otherPort;
      calls.add(() -> startChat(target, token));
    }
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var result : pool.invokeAll(calls)) {
        assertThat(result.get()).isEqualTo(200);
      }
    }

    var refused =
        api()
            .post(
                "/api/chat/stream/",
                Map.of(
                    "isbn",
                    TestIsbns.next(),
                    "messages",
                    List.of(Map.of("role", "user", "content", "q"))),
                token);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().path("code").asString()).isEqualTo("RATE_LIMIT");
    assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 61);
    var onTheOther =
        new JsonHttp(otherPort)
            .post(
                "/api/chat/stream/",
                Map.of(
                    "isbn",
                    TestIsbns.next(),
                    "messages",
                    List.of(Map.of("role", "user", "content", "q"))),
                token);
    assertThat(onTheOther.status()).isEqualTo(429);

    var metrics = new JsonHttp(managementPort()).get("/actuator/prometheus", null).body();
    assertThat(metrics).contains("shuzhi_ratelimit_rejections_total{");
    // The records are written with the limits, and only for chats the limits let through.
    assertThat(streamsRecordedFor(token)).isEqualTo(60);
  }

  @Test
  void aReaderWhoSpentTheDaysTokensIsToldToComeBackTomorrow() {
    var token = loginAs("limit-spender");
    var userId = api().get("/api/user/profile/", token).json().path("id").asString();
    redis
        .opsForValue()
        .set(ChatChannels.dailyTokens(userId, LocalDate.now(ChatChannels.BUDGET_ZONE)), "200000");

    var refused =
        api()
            .post(
                "/api/chat/stream/",
                Map.of(
                    "isbn",
                    TestIsbns.next(),
                    "messages",
                    List.of(Map.of("role", "user", "content", "q"))),
                token);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().path("message").asString()).contains("额度");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 86_400L);
    assertThat(streamsRecordedFor(token)).as("the refused chat's record is gone").isZero();
  }

  @Test
  void chatsRefusedForTheDaysBudgetDoNotCountAgainstTheReadersChats() throws Exception {
    var token = loginAs("limit-spent-then-topped-up");
    var userId = api().get("/api/user/profile/", token).json().path("id").asString();
    var spent = ChatChannels.dailyTokens(userId, LocalDate.now(ChatChannels.BUDGET_ZONE));
    redis.opsForValue().set(spent, "200000");

    for (int i = 0; i < 61; i++) {
      assertThat(startChat(port, token)).as("request %d", i).isEqualTo(429);
    }
    // An operator lowers what the reader spent (or the day turns): the minute's chats are intact.
    redis.opsForValue().set(spent, "199999");

    assertThat(startChat(port, token)).isEqualTo(200);
    assertThat(streamsRecordedFor(token)).isEqualTo(1);
  }

  @Test
  void onlyConfiguredOriginsGetCorsHeaders() {
    var allowed =
        api()
            .send(
                "OPTIONS",
                "/api/books/9787532190294/",
                null,
                null,
                Map.of(
                    "Origin",
                    "https://sealos.plumeintel.tech",
                    "Access-Control-Request-Method",
                    "GET",
                    "Access-Control-Request-Headers",
                    "authorization"));
    assertThat(allowed.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://sealos.plumeintel.tech");

    var refused = preflight("https://evil.example");
    assertThat(refused.header("Access-Control-Allow-Origin")).isNull();
    var token = loginAs("cors-reader");
    var simple =
        api()
            .send(
                "GET", "/api/user/profile/", null, token, Map.of("Origin", "https://evil.example"));
    assertThat(simple.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void answersVaryOnTheCorsRequestHeadersInOneField() {
    var token = loginAs("cors-vary");
    var simple =
        api()
            .send(
                "GET",
                "/api/user/profile/",
                null,
                token,
                Map.of("Origin", "https://sealos.plumeintel.tech"));
    var preflight = preflight("https://sealos.plumeintel.tech");
    var noOrigin = api().send("GET", "/api/user/profile/", null, token, Map.of());

    for (var answer : List.of(simple, preflight, noOrigin)) {
      assertThat(answer.headers().allValues("Vary"))
          .containsExactly("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    }
    assertThat(simple.status()).isEqualTo(200);
    assertThat(simple.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://sealos.plumeintel.tech");
    assertThat(preflight.header("Access-Control-Allow-Origin"))
        .isEqualTo("https://sealos.plumeintel.tech");
  }

  private String allowedOrigin(String origin) {
    return preflight(origin).header("Access-Control-Allow-Origin");
  }

  /** A browser's preflight from {@code origin} for a GET of a book. */
  private JsonHttp.Answer preflight(String origin) {
    return api()
        .send(
            "OPTIONS",
            "/api/books/9787532190294/",
            null,
            null,
            Map.of("Origin", origin, "Access-Control-Request-Method", "GET"));
  }

  @Test
  void weixinSubdomainsAreAllowedOriginsByDefaultButLookalikesAreNot() {
    assertThat(allowedOrigin("https://mp.weixin.qq.com")).isEqualTo("https://mp.weixin.qq.com");
    assertThat(allowedOrigin("https://open.weixin.qq.com")).isEqualTo("https://open.weixin.qq.com");
    assertThat(allowedOrigin("https://servicewechat.com")).isEqualTo("https://servicewechat.com");
    for (var lookalike :
        List.of(
            "https://evilweixin.qq.com",
            "https://mp.weixin.qq.com.evil.example",
            "http://mp.weixin.qq.com",
            "https://weixin.qq.com")) {
      assertThat(allowedOrigin(lookalike)).as(lookalike).isNull();
    }
  }
}
