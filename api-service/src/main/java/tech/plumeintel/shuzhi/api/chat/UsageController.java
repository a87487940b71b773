package tech.plumeintel.shuzhi.api.chat;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.web.Caller;

/** The reader's own view of the daily token budget the chat path enforces. */
@RestController
class UsageController {

  private final TokenBudget budget;

  UsageController(TokenBudget budget) {
    this.budget = budget;
  }

  @GetMapping("/api/user/usage/")
  DailyUsage usage(Caller caller) {
    return budget.usage(caller.userId());
  }
}
