package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tools.jackson.databind.JsonNode;

class AccessTokenIT extends ApiIntegrationTest {

  private static final String PROTECTED = "/api/user/profile/";

  private void assertUnauthorized(@Nullable String token) {
    var answer = api().get(PROTECTED, token);
    assertThat(answer.status()).as("status for token %s", token).isEqualTo(401);
    assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
    assertThat(answer.json().path("message").asString()).isNotBlank();
  }

  private JsonNode loginBody(String openid) {
    var code = "tok-" + openid + System.nanoTime();
    WECHAT.accept(code, openid);
    return api().post("/api/auth/login/wechat/", Map.of("code", code), null).json();
  }

  private static String sign(String secret, String subject, String type, Instant expiry) {
    return Jwts.builder()
        .json(new JacksonJwtJson.Serializer())
        .issuer("shuzhi")
        .subject(subject)
        .id("forged-" + System.nanoTime())
        .issuedAt(Date.from(expiry.minusSeconds(7200)))
        .expiration(Date.from(expiry))
        .claim("typ", type)
        .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
        .compact();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyProtectedEndpointRefusesARequestWithoutAToken() {
    assertUnauthorized(null);
    for (var path :
        new String[] {
          "/api/books/9787532190294/",
          "/api/tasks/x/",
          "/api/user/history/",
          "/api/user/collections/",
          "/api/chat/stream/x/",
          "/api/does-not-exist/"
        }) {
      var answer = api().get(path, null);
      assertThat(answer.status()).as(path).isEqualTo(401);
      assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
    }
    var chat = api().post("/api/chat/stream/", Map.of("isbn", "9787532190294"), null);
    assertThat(chat.status()).isEqualTo(401);
  }

  @Test
  void aValidAccessTokenIsAccepted() {
    var token = loginBody("openid-valid").path("token").asString();

    assertThat(api().get(PROTECTED, token).status()).isEqualTo(200);
  }

  @Test
  void garbageExpiredTamperedUnsignedAndForeignTokensAreRefused() {
    var body = loginBody("openid-victim");
    var token = body.path("token").asString();
    var userId = body.path("user").path("id").asString();
    var parts = token.split("\\.");

    assertUnauthorized("garbage");
    assertUnauthorized("");
    assertUnauthorized(sign(JWT_SECRET, userId, "access", Instant.now().minusSeconds(60)));
    assertUnauthorized(
        parts[0]
            + "."
            + b64(
                "{\"iss\":\"shuzhi\",\"sub\":\"someone-else\","
                    + "\"typ\":\"access\",\"jti\":\"x\",\"exp\":4102444800}")
            + "."
            + parts[2]);
    assertUnauthorized(
        b64("{\"alg\":\"none\"}")
            + "."
            + b64(
                "{\"iss\":\"shuzhi\",\"sub\":\""
                    + userId
                    + "\",\"typ\":\"access\",\"jti\":\"x\",\"exp\":4102444800}")
            + ".");
    assertUnauthorized(
        sign(
            "another-secret-of-at-least-32-bytes-long!",
            userId,
            "access",
            Instant.now().plusSeconds(600)));
    assertUnauthorized(body.path("refresh_token").asString());
  }

  private tech.plumeintel.shuzhi.testsupport.JsonHttp.Answer refresh(String refreshToken) {
    return api().post("/api/auth/token/refresh/", Map.of("refresh_token", refreshToken), null);
  }

  @Test
  void aRefreshTokenGivesANewPairOnce() {
    var body = loginBody("openid-refresher");
    var refresh = body.path("refresh_token").asString();

    var renewed = refresh(refresh);
    assertThat(renewed.status()).isEqualTo(200);
    assertThat(renewed.json().path("user").path("id").asString())
        .isEqualTo(body.path("user").path("id").asString());
    assertThat(api().get(PROTECTED, renewed.json().path("token").asString()).status())
        .isEqualTo(200);

    var next = refresh(renewed.json().path("refresh_token").asString());
    assertThat(next.status()).isEqualTo(200);
    assertThat(api().get(PROTECTED, next.json().path("token").asString()).status()).isEqualTo(200);
  }

  @Test
  void aReplayedRefreshTokenRevokesItsWholeFamilyTheThiefsTokensIncluded() {
    var victim = loginBody("openid-robbed");
    var stolen = victim.path("refresh_token").asString();
    var elsewhere = loginBody("openid-robbed");

    var thief = refresh(stolen);
    assertThat(thief.status()).isEqualTo(200);
    var thiefsAccess = thief.json().path("token").asString();
    assertThat(api().get(PROTECTED, thiefsAccess).status()).isEqualTo(200);

    var replayed = refresh(stolen);
    assertThat(replayed.status()).isEqualTo(401);
    assertThat(replayed.json().path("code").asString()).isEqualTo("UNAUTHORIZED");

    assertThat(refresh(thief.json().path("refresh_token").asString()).status())
        .as("the thief's refresh token")
        .isEqualTo(401);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(() -> assertUnauthorized(thiefsAccess));
    assertUnauthorized(victim.path("token").asString());
    assertThat(api().get(PROTECTED, elsewhere.path("token").asString()).status())
        .as("another login of the same reader is another family")
        .isEqualTo(200);
  }

  @Test
  void logoutRevokesTheCallersAccessAndRefreshTokens() {
    var body = loginBody("openid-leaving");
    var token = body.path("token").asString();

    var answer = api().post("/api/auth/logout/", Map.of(), token);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("logged_out").asBoolean()).isTrue();
    assertUnauthorized(token);
    assertThat(refresh(body.path("refresh_token").asString()).status()).isEqualTo(401);
    assertThat(api().post("/api/auth/logout/", Map.of(), null).status()).isEqualTo(401);
  }

  @Test
  void aCorrectlySignedTokenForAReaderWhoDoesNotExistIsRefused() {
    var forged =
        sign(
            JWT_SECRET,
            "made-up-user-" + System.nanoTime(),
            "access",
            Instant.now().plusSeconds(600));

    // Endpoints that would otherwise answer a made-up reader (empty lists, a chat on their budget).
    for (var path : new String[] {"/api/user/collections/", "/api/user/history/", PROTECTED}) {
      for (int i = 0; i < 2; i++) {
        var answer = api().get(path, forged);
        assertThat(answer.status()).as(path).isEqualTo(401);
        assertThat(answer.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
      }
    }
  }

  @Test
  void pathParametersDoNotSkipTheTokenCheck() {
    for (var path :
        new String[] {
          "/api;x/does-not-exist/", "/api;/user/profile/", "/api/user;jsessionid=1/profile/"
        }) {
      var answer = api().get(path, null);
      assertThat(answer.status()).as(path).isEqualTo(401);
      assertThat(answer.json().path("code").asString()).as(path).isEqualTo("UNAUTHORIZED");
    }
  }

  @Test
  void anAccessTokenCannotRefresh() {
    var token = loginBody("openid-sly").path("token").asString();

    var answer = api().post("/api/auth/token/refresh/", Map.of("refresh_token", token), null);

    assertThat(answer.status()).isEqualTo(401);
  }
}
