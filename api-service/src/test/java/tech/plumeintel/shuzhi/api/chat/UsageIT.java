package tech.plumeintel.shuzhi.api.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** {@code GET /api/user/usage/}: the reader's own view of the budget the chat path enforces. */
class UsageIT extends ApiIntegrationTest {

  private static final String PATH = "/api/user/usage/";

  @Autowired StringRedisTemplate redis;

  @Test
  void aReaderSeesTodaysTokensTheBudgetWhatRemainsAndWhenItResets() {
    var token = loginAs("usage-reader");
    var userId = api().get("/api/user/profile/", token).json().path("id").asString();

    var fresh = api().get(PATH, token);
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.json().path("tokens_used").asLong()).isZero();
    assertThat(fresh.json().path("remaining").asLong())
        .isEqualTo(fresh.json().path("daily_budget").asLong())
        .isPositive();

    var today = LocalDate.now(ChatChannels.BUDGET_ZONE);
    redis.opsForValue().set(ChatChannels.dailyTokens(userId, today), "1234");
    var usage = api().get(PATH, token).json();

    assertThat(usage.path("date").asString()).isEqualTo(today.toString());
    assertThat(usage.path("tokens_used").asLong()).isEqualTo(1234);
    assertThat(usage.path("daily_budget").asLong()).isEqualTo(200_000);
    assertThat(usage.path("remaining").asLong()).isEqualTo(200_000 - 1234);
    var resetsAt = OffsetDateTime.parse(usage.path("resets_at").asString());
    assertThat(resetsAt.getOffset().getTotalSeconds()).isEqualTo(8 * 3600);
    assertThat(resetsAt.toLocalDate()).isEqualTo(today.plusDays(1));
    assertThat(resetsAt.toLocalTime().toSecondOfDay()).isZero();

    assertThat(api().get(PATH, loginAs("usage-someone-else")).json().path("tokens_used").asLong())
        .as("every reader sees only their own")
        .isZero();
    assertThat(api().get(PATH, null).status()).isEqualTo(401);
  }

  @Test
  void aChatRefusedForTheBudgetSaysTheSameAsTheUsage() {
    var token = loginAs("usage-spent");
    var userId = api().get("/api/user/profile/", token).json().path("id").asString();
    redis
        .opsForValue()
        .set(ChatChannels.dailyTokens(userId, LocalDate.now(ChatChannels.BUDGET_ZONE)), "200050");

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
    var usage = api().get(PATH, token).json();

    assertThat(refused.status()).isEqualTo(429);
    var body = refused.json();
    assertThat(body.path("code").asString()).isEqualTo("RATE_LIMIT");
    assertThat(body.path("message").asString()).contains("额度");
    assertThat(body.path("tokens_used").asLong()).isEqualTo(200_050);
    assertThat(body.path("daily_budget").asLong()).isEqualTo(200_000);
    assertThat(body.path("remaining").asLong()).isZero();
    assertThat(body.path("resets_at").asString()).isEqualTo(usage.path("resets_at").asString());
    assertThat(usage.path("remaining").asLong()).isZero();
    var wait =
        Duration.between(
            OffsetDateTime.now(), OffsetDateTime.parse(usage.path("resets_at").asString()));
    assertThat(Long.parseLong(refused.header("Retry-After")))
        .isBetween(wait.toSeconds() - 5, wait.toSeconds() + 5);
  }
}
