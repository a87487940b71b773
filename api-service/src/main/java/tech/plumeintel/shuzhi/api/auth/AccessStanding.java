package tech.plumeintel.shuzhi.api.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.MongoException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.api.user.UserAccounts;
import tech.plumeintel.shuzhi.api.web.ThrottledWarning;
import tech.plumeintel.shuzhi.platform.wechat.ReaderOpenids;

/**
 * A token stands while its family is not revoked and its reader exists. The second check matters
 * when the signing key has leaked: a token minted for a made-up user id would otherwise pass, and
 * with it the per-reader limits and the daily token budget, which are counted per user id.
 *
 * <p>The family is asked every time (a logout must work within the recheck interval; {@link
 * TokenFamilies} answers from revocations pushed to this instance when it can, else from Redis); a
 * reader's existence is remembered for {@link #READER_KNOWN_FOR} once seen. Readers are never
 * removed through the API, and a reader removed from the store by hand is refused on every instance
 * within that period; asking the store each recheck was a third of a lookup's CPU when readers look
 * up a book every few seconds (each then past the recheck interval). A reader not found is not
 * remembered, so a reader created a moment ago on another instance is found at once.
 */
@Component
class AccessStanding implements TokenStanding {

  static final Duration READER_KNOWN_FOR = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(AccessStanding.class);

  private final UserAccounts users;
  private final TokenFamilies families;
  private final ReaderOpenids openids;
  private final ThrottledWarning outage;
  private final Cache<String, Boolean> knownReaders =
      Caffeine.newBuilder().expireAfterWrite(READER_KNOWN_FOR).maximumSize(100_000).build();

  AccessStanding(UserAccounts users, TokenFamilies families, ReaderOpenids openids, Clock clock) {
    this.users = users;
    this.families = families;
    this.openids = openids;
    this.outage = new ThrottledWarning(log, Duration.ofMinutes(1), clock);
  }

  @Override
  public boolean stands(String userId, String family) {
    if (families.isRevoked(family)) {
      return false;
    }
    if (knownReaders.getIfPresent(userId) != null) {
      return true;
    }
    try {
      var reader = users.find(userId);
      reader.ifPresent(
          account -> {
            knownReaders.put(userId, Boolean.TRUE);
            // The question check needs it next; read here already.
            openids.remember(userId, account.openid());
          });
      return reader.isPresent();
    } catch (MongoException e) {
      // Fails open like the rate limits: whatever works without MongoDB still does.
      outage.warn("Readers' existence not checked: {}", e.getClass().getSimpleName());
      return true;
    }
  }
}
