package tech.plumeintel.shuzhi.api.chat;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.LimitsProperties;
import tech.plumeintel.shuzhi.api.web.RateLimits;
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
    var today = today();
    return usage(today, spentOn(userId, today));
  }

  /**
   * The day's spending as a ceiling for the chat's limits to check in their round trip to Redis;
   * null when the budget is off.
   */
  RateLimits.@Nullable Ceiling ceiling(String userId) {
    if (limits.dailyTokens() <= 0) {
      return null;
    }
    return new RateLimits.Ceiling(ChatChannels.dailyTokens(userId, today()), limits.dailyTokens());
  }

  /** For when the limits could not check the {@link #ceiling}. */
  void requireRemaining(String userId) {
    if (limits.dailyTokens() <= 0) {
      return;
    }
    var usage = usage(userId);
    if (usage.exhausted()) {
      throw refusal(usage);
    }
  }

  /** The refusal of a reader whose day's spending, {@code spent}, reached the {@link #ceiling}. */
  ApiException exhausted(long spent) {
    return refusal(usage(today(), spent));
  }

  private ApiException refusal(DailyUsage usage) {
    var wait = Duration.between(clock.instant(), OffsetDateTime.parse(usage.resetsAt()));
    return ApiException.rateLimited("今天的对话额度已用完，明天再来吧", wait, usage.asErrorDetails());
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ChatChannels.BUDGET_ZONE);
  }

  private long spentOn(String userId, LocalDate day) {
    var spent = redis.opsForValue().get(ChatChannels.dailyTokens(userId, day));
    return spent == null ? 0 : Long.parseLong(spent);
  }

  private DailyUsage usage(LocalDate today, long spent) {
    var tomorrow = today.plusDays(1).atStartOfDay(ChatChannels.BUDGET_ZONE).toOffsetDateTime();
    return DailyUsage.of(today.toString(), spent, limits.dailyTokens(), tomorrow);
  }
}
