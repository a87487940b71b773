package tech.plumeintel.shuzhi.api.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;

class ProfileIT extends ApiIntegrationTest {

  private static final String PATH = "/api/user/profile/";

  @Test
  void aReaderUpdatesAndReadsTheirOwnProfile() {
    var alice = loginAs("profile-alice");
    var bob = loginAs("profile-bob");

    var updated =
        api()
            .put(
                PATH,
                Map.of("nickname", "  书虫小王 👨‍👩‍👧 ", "avatar_url", "https://example.com/a.png"),
                alice);

    assertThat(updated.status()).isEqualTo(200);
    assertThat(updated.json().path("nickname").asString()).isEqualTo("书虫小王 👨‍👩‍👧");
    assertThat(api().get(PATH, alice).json().path("avatar_url").asString())
        .isEqualTo("https://example.com/a.png");
    assertThat(api().get(PATH, bob).json().path("nickname").asString()).isEmpty();
  }

  @Test
  void invalidProfilesAreRefusedAndChangeNothing() {
    var token = loginAs("profile-careful");
    api().put(PATH, Map.of("nickname", "ok", "avatar_url", ""), token);

    for (var body :
        List.<Object>of(
            Map.of("nickname", "x".repeat(33), "avatar_url", ""),
            Map.of("nickname", "bell\u0007", "avatar_url", ""),
            Map.of("nickname", "rtl\u202Eevil", "avatar_url", ""),
            Map.of("nickname", "ok", "avatar_url", "http://example.com/a.png"),
            Map.of("nickname", "ok", "avatar_url", "javascript:alert(1)"),
            Map.of("nickname", "ok"),
            "{\"nickname\": {\"$set\": \"x\"}, \"avatar_url\": \"\"}")) {
      var answer = api().put(PATH, body, token);
      assertThat(answer.status()).as(String.valueOf(body)).isEqualTo(400);
      assertThat(answer.json().path("code").asString()).isEqualTo("INVALID_PARAMS");
    }
    assertThat(api().get(PATH, token).json().path("nickname").asString()).isEqualTo("ok");
  }
}
