package tech.plumeintel.shuzhi.api.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.LimitsProperties;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;

/** Protects the LLM budget: a reader who spent the day's tokens waits for tomorrow. */
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

  void requireRemaining(String userId) {
    if (limits.dailyTokens() <= 0) {
      return;
    }
    var now = clock.instant();
    var today = LocalDate.ofInstant(now, ChatChannels.BUDGET_ZONE);
    var spent = redis.opsForValue().get(ChatChannels.dailyTokens(userId, today));
    if (spent != null && Long.parseLong(spent) >= limits.dailyTokens()) {
      var tomorrow = today.plusDays(1).atStartOfDay(ChatChannels.BUDGET_ZONE).toInstant();
      throw ApiException.rateLimited("今天的对话额度已用完，明天再来吧", Duration.between(now, tomorrow));
    }
  }
}
