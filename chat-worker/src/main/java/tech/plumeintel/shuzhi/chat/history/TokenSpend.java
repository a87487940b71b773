package tech.plumeintel.shuzhi.chat.history;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/** Adds what a stream cost to its reader's daily token count, which the API holds to a budget. */
@Component
public class TokenSpend {

  private final StringRedisTemplate redis;
  private final Clock clock;

  TokenSpend(StringRedisTemplate redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  public void add(String userId, TokenUsage usage) {
    var total = (long) usage.promptTokens() + usage.completionTokens();
    if (total <= 0) {
      return;
    }
    var key =
        ChatChannels.dailyTokens(
            userId, LocalDate.ofInstant(clock.instant(), ChatChannels.BUDGET_ZONE));
    redis.opsForValue().increment(key, total);
    redis.expire(key, Duration.ofDays(2));
  }
}
