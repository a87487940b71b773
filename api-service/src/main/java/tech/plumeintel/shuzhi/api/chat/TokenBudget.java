package tech.plumeintel.shuzhi.api.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.LimitsProperties;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;

/**
 * Protects the LLM budget: a reader who spent the day's tokens waits for tomorrow. The chat-worker
 * adds what each answer cost to the day's counter; this reads it, for the refusal and for the
 * reader's own view ({@code GET /api/user/usage/}), so both always say the same.
 */
@Component
class TokenBudget {

  private final StringRedisTemplate redis;
  private final LimitsProperties limits;
  private final Clock clock;

  TokenBudget(StringRedisTemplate redis, LimitsProperties limits, Clock clock) {
    this.redis = redis;
    this.limits = limits;
    this.clock = clock;
  }

  DailyUsage usage(String userId) {
    var now = clock.instant();
    var today = LocalDate.ofInstant(now, ChatChannels.BUDGET_ZONE);
    var spent = redis.opsForValue().get(ChatChannels.dailyTokens(userId, today));
    var tomorrow = today.plusDays(1).atStartOfDay(ChatChannels.BUDGET_ZONE).toOffsetDateTime();
    return DailyUsage.of(
        today.toString(),
        spent == null ? 0 : Long.parseLong(spent),
        limits.dailyTokens(),
        tomorrow);
  }

  void requireRemaining(String userId) {
    if (limits.dailyTokens() <= 0) {
      return;
    }
    var usage = usage(userId);
    if (usage.exhausted()) {
      var wait = Duration.between(clock.instant(), OffsetDateTime.parse(usage.resetsAt()));
      throw ApiException.rateLimited("今天的对话额度已用完，明天再来吧", wait, usage.asErrorDetails());
    }
  }
}
