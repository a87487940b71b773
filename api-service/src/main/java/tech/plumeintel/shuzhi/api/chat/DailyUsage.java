package tech.plumeintel.shuzhi.api.chat;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A reader's LLM tokens today (Beijing time), as {@code GET /api/user/usage/} shows them and a chat
 * refused for the budget repeats them. {@code dailyBudget} and {@code remaining} are null when the
 * budget is off.
 */
record DailyUsage(
    String date,
    long tokensUsed,
    @Nullable Long dailyBudget,
    @Nullable Long remaining,
    String resetsAt) {

  static DailyUsage of(String date, long used, long budget, OffsetDateTime resetsAt) {
    var limited = budget > 0;
    return new DailyUsage(
        date,
        used,
        limited ? budget : null,
        limited ? Math.max(0, budget - used) : null,
        resetsAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  boolean exhausted() {
    return remaining != null && remaining == 0;
  }

  /** The members a 429 carries beside {@code code} and {@code message}. */
  Map<String, Object> asErrorDetails() {
    var details = new LinkedHashMap<String, Object>();
    details.put("tokens_used", tokensUsed);
    details.put("daily_budget", dailyBudget);
    details.put("remaining", remaining);
    details.put("resets_at", resetsAt);
    return details;
  }
}
