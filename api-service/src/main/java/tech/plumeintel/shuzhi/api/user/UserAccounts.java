package tech.plumeintel.shuzhi.api.user;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Optional;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/** The {@code users} collection: readers found or created by their WeChat openid. */
@Component
public class UserAccounts {

  private final MongoCollection<UserAccount> users;
  private final Clock clock;
  private final IdGenerator ids;

  UserAccounts(MongoDatabase database, Clock clock, IdGenerator ids) {
    this.users = database.getCollection(UserAccount.COLLECTION, UserAccount.class);
    this.clock = clock;
    this.ids = ids;
    users.createIndex(Indexes.ascending("openid"), new IndexOptions().unique(true));
  }

  /**
   * Finds the reader with this openid or creates them. Two first logins racing each other make one
   * reader: the unique index turns the loser's insert into a duplicate-key error, and the retry
   * finds the winner's document.
   */
  public UserAccount signIn(String openid, @Nullable String unionid) {
    try {
      return upsert(openid, unionid);
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
      return upsert(openid, unionid);
    }
  }

  public Optional<UserAccount> find(String userId) {
    return Optional.ofNullable(users.find(Filters.eq("_id", userId)).first());
  }

  public Optional<UserAccount> updateProfile(String userId, String nickname, String avatarUrl) {
    return Optional.ofNullable(
        users.findOneAndUpdate(
            Filters.eq("_id", userId),
            Updates.combine(
                Updates.set("nickname", nickname),
                Updates.set("avatar_url", avatarUrl),
                Updates.set("updated_at", clock.instant())),
            new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)));
  }

  private UserAccount upsert(String openid, @Nullable String unionid) {
    var now = clock.instant();
    var updates = new ArrayList<Bson>();
    updates.add(Updates.setOnInsert("_id", ids.next()));
    updates.add(Updates.setOnInsert("created_at", now));
    updates.add(Updates.set("updated_at", now));
    if (unionid != null) {
      updates.add(Updates.set("unionid", unionid));
    }
    return users.findOneAndUpdate(
        Filters.eq("openid", openid),
        Updates.combine(updates),
        new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
  }
}
