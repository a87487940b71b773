package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.HttpStandIn;
import tech.plumeintel.shuzhi.testsupport.JsonHttp.Answer;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

class LoginIT extends ApiIntegrationTest {

  @Autowired MongoDatabase database;

  private Answer login(String code) {
    return api().post("/api/auth/login/wechat/", Map.of("code", code), null);
  }

  @Test
  void aValidCodeLogsInAndTheTokenOpensProtectedEndpoints() {
    WECHAT.accept("good-code-1", "openid-alice");

    var answer = login("good-code-1");

    assertThat(answer.status()).isEqualTo(200);
    var body = answer.json();
    assertThat(body.path("expires_in").asInt()).isEqualTo(7200);
    assertThat(body.path("token").asString()).isNotBlank();
    assertThat(body.path("refresh_token").asString()).isNotBlank();
    assertThat(body.path("user").path("id").asString()).isNotBlank();
    assertThat(body.has("session_key")).isFalse();
    assertThat(answer.body()).doesNotContain("openid-alice", "D1ZWEygStjuLCnZ9IN2l4Q==");

    var profile = api().get("/api/user/profile/", body.path("token").asString());
    assertThat(profile.status()).isEqualTo(200);
    assertThat(profile.json().path("id").asString())
        .isEqualTo(body.path("user").path("id").asString());

    var request = WECHAT.http().received(WechatStandIn.PATH).getLast();
    assertThat(request.query())
        .contains("appid=wx-test-app", "js_code=good-code-1", "grant_type=authorization_code");
  }

  @Test
  void theSameOpenidIsTheSameUserAndKeepsItsUnionid() {
    WECHAT.accept("bob-1", "openid-bob");
    WECHAT.accept("bob-2", "openid-bob");

    var first = login("bob-1").json().path("user").path("id").asString();
    var second = login("bob-2").json().path("user").path("id").asString();

    assertThat(second).isEqualTo(first);
    var stored = database.getCollection("users").find(Filters.eq("openid", "openid-bob")).first();
    assertThat(stored.getString("unionid")).isEqualTo("u-openid-bob");
  }

  @Test
  void concurrentFirstLoginsOfOneOpenidMakeOneUser() throws Exception {
    var calls = new ArrayList<Callable<Answer>>();
    for (int i = 0; i < 8; i++) {
      var code = "race-" + i;
      WECHAT.accept(code, "openid-racer");
      calls.add(() -> login(code));
    }
    List<String> ids;
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      ids =
          pool.invokeAll(calls).stream()
              .map(
                  f -> {
                    try {
                      return f.get();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .peek(a -> assertThat(a.status()).isEqualTo(200))
              .map(a -> a.json().path("user").path("id").asString())
              .toList();
    }

    assertThat(ids).containsOnly(ids.getFirst());
    assertThat(database.getCollection("users").countDocuments(Filters.eq("openid", "openid-racer")))
        .isEqualTo(1);
  }

  @Test
  void invalidOrUsedCodesAreUnauthorizedAndNeverRetried() {
    WECHAT.answer("invalid", 200, "{\"errcode\":40029,\"errmsg\":\"invalid code\"}");
    WECHAT.answer("used", 200, "{\"errcode\":40163,\"errmsg\":\"code been used\"}");

    for (var code : List.of("invalid", "used")) {
      var answer = login(code);
      assertThat(answer.status()).as(code).isEqualTo(401);
      assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
      assertThat(WECHAT.requestsWithCode(code)).as("exchanges of " + code).isEqualTo(1);
    }
  }

  @Test
  void aHighRiskUserIsToldWhy() {
    WECHAT.answer("risky", 200, "{\"errcode\":40226,\"errmsg\":\"high risk user\"}");

    var answer = login("risky");

    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.json().path("message").asString()).contains("风险");
  }

  @Test
  void wechatsRateLimitIsPassedOnWithRetryAfter() {
    WECHAT.answer(
        "limited", 200, "{\"errcode\":45011,\"errmsg\":\"api minute-quota reach limit\"}");

    var answer = login("limited");

    assertThat(answer.status()).isEqualTo(429);
    assertThat(answer.json().path("code").asString()).isEqualTo("RATE_LIMIT");
    assertThat(answer.header("Retry-After")).isNotBlank();
  }

  @Test
  void aBusyBrokenOrSlowWechatIsUpstreamError() {
    WECHAT.answer("busy", 200, "{\"errcode\":-1,\"errmsg\":\"system error\"}");
    WECHAT.answer("html", 200, "<html><body>502 Bad Gateway</body></html>");
    WECHAT.answer("http-500", 500, "{}");
    WECHAT.answer("no-openid", 200, "{\"session_key\":\"x\"}");
    WECHAT.answer(
        "slow",
        exchange -> {
          try {
            Thread.sleep(5_000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          HttpStandIn.respond(exchange, 200, "application/json", "{\"openid\":\"late\"}");
        });

    for (var code : List.of("busy", "html", "http-500", "no-openid", "slow")) {
      var answer = login(code);
      assertThat(answer.status()).as(code).isEqualTo(503);
      assertThat(answer.json().path("code").asString()).as(code).isEqualTo("UPSTREAM_ERROR");
      assertThat(WECHAT.requestsWithCode(code)).as(code).isEqualTo(1);
    }
  }

  @Test
  void malformedLoginRequestsAreInvalidParams() {
    for (var body :
        List.of(
            "{",
            "{\"code\": 5}",
            "{}",
            "{\"code\":\"\"}",
            "[]",
            "{\"code\":\"" + "x".repeat(200) + "\"}",
            "{\"code\":\"with space\"}")) {
      var answer = api().post("/api/auth/login/wechat/", body, null);
      assertThat(answer.status()).as(body).isEqualTo(400);
      assertThat(answer.json().path("code").asString()).as(body).isEqualTo("INVALID_PARAMS");
    }
  }

  @Test
  void noSessionKeySecretOrTokenReachesTheLogs() {
    try (var logs = CapturedLogs.start()) {
      WECHAT.accept("logged-code", "openid-quiet");
      var body = login("logged-code").json();
      var token = body.path("token").asString();
      var refresh = body.path("refresh_token").asString();
      api().post("/api/auth/token/refresh/", Map.of("refresh_token", refresh), null);
      api().post("/api/auth/token/refresh/", Map.of("refresh_token", refresh), null);
      api().get("/api/user/profile/", token + "tampered");
      WECHAT.answer("html-logged", 200, "<html>" + WECHAT.sessionKeyFor("x") + "</html>");
      login("html-logged");

      assertThat(logs.lines()).isNotEmpty();
      for (var secret :
          List.of(
              WECHAT.sessionKeyFor("openid-quiet"),
              WECHAT.sessionKeyFor("x"),
              WechatStandIn.APP_SECRET,
              JWT_SECRET,
              token,
              refresh,
              "logged-code")) {
        assertThat(logs.linesContaining(secret)).as("log lines with a secret").isEmpty();
      }
    }
  }
}
