package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import java.util.Date;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.user.UserAccounts;

/** A token's standing against the real stores: what is remembered of a reader, and what is not. */
class AccessStandingIT extends ApiIntegrationTest {

  @Autowired AccessStanding standing;
  @Autowired UserAccounts users;
  @Autowired TokenFamilies families;
  @Autowired MongoDatabase database;

  private static String unique(String prefix) {
    return prefix + System.nanoTime();
  }

  @Test
  void aReaderOnceFoundStandsWithoutAskingTheStoreAgain() {
    var reader = users.signIn(unique("openid-standing-"), null);
    var family = unique("family-");
    assertThat(standing.stands(reader.id(), family)).isTrue();

    // Gone from the store behind the API's back: remembered for READER_KNOWN_FOR all the same.
    database.getCollection("users").deleteOne(Filters.eq("_id", reader.id()));

    assertThat(users.find(reader.id())).isEmpty();
    assertThat(standing.stands(reader.id(), family)).isTrue();
  }

  @Test
  void aReaderNotFoundIsNotRememberedSoOneCreatedLaterStandsAtOnce() {
    var userId = unique("reader-created-later-");
    var family = unique("family-");
    assertThat(standing.stands(userId, family)).isFalse();

    database
        .getCollection("users")
        .insertOne(
            new Document("_id", userId)
                .append("openid", unique("openid-later-"))
                .append("created_at", new Date())
                .append("updated_at", new Date()));

    assertThat(standing.stands(userId, family)).isTrue();
  }

  @Test
  void aRevokedFamilyFallsEvenForAReaderRemembered() {
    var reader = users.signIn(unique("openid-revoked-"), null);
    var family = unique("family-");
    assertThat(standing.stands(reader.id(), family)).isTrue();

    families.revoke(family);

    assertThat(standing.stands(reader.id(), family)).isFalse();
  }
}
