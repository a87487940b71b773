package tech.plumeintel.shuzhi.api.auth;

import com.mongodb.MongoException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.user.UserAccounts;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;

/**
 * A token stands while its family is not revoked and its reader exists. The second check matters
 * when the signing key has leaked: a token minted for a made-up user id would otherwise pass, and
 * with it the per-reader limits and the daily token budget, which are counted per user id.
 */
@Component
class AccessStanding implements TokenStanding {

  private static final Logger log = LoggerFactory.getLogger(AccessStanding.class);

  private final UserAccounts users;
  private final TokenFamilies families;
  private final ThrottledWarning outage;

  AccessStanding(UserAccounts users, TokenFamilies families, Clock clock) {
    this.users = users;
    this.families = families;
    this.outage = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
  }

  @Override
  public boolean stands(String userId, String family) {
    if (families.isRevoked(family)) {
      return false;
    }
    try {
      return users.find(userId).isPresent();
    } catch (MongoException e) {
      // Fails open like the rate limits: whatever works without MongoDB still does.
      outage.warn("Readers' existence not checked: {}", e.getClass().getSimpleName());
      return true;
    }
  }
}
