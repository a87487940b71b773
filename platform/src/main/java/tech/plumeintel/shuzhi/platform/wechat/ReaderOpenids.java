package tech.plumeintel.shuzhi.platform.wechat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import java.util.Optional;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reader's WeChat openid, which {@code msg_sec_check} asks for, from the {@code users} collection
 * the API keeps. An openid never changes for a reader, so each instance remembers the ones it read:
 * a check costs no database round trip after a reader's first.
 */
public final class ReaderOpenids {

  private static final Logger log = LoggerFactory.getLogger(ReaderOpenids.class);

  private final MongoCollection<Document> users;
  private final Cache<String, String> known = Caffeine.newBuilder().maximumSize(50_000).build();

  public ReaderOpenids(MongoDatabase database) {
    this.users = database.getCollection("users");
  }

  /**
   * Tells this instance a reader's openid that it read anyway (the API reads the reader's document
   * on its first request): the reader's first question is then checked without a read of its own.
   */
  public void remember(String userId, @Nullable String openid) {
    if (openid != null && !openid.isBlank()) {
      known.put(userId, openid);
    }
  }

  /**
   * @return the openid, or empty when the reader is unknown or the store cannot be read (a check
   *     without an openid is a check that could not be made: the failure policy decides)
   */
  public Optional<String> of(String userId) {
    var cached = known.getIfPresent(userId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Document user;
    try {
      user =
          users.find(Filters.eq("_id", userId)).projection(Projections.include("openid")).first();
    } catch (MongoException e) {
      log.warn("Openid of reader {} not read: {}", userId, e.getClass().getSimpleName());
      return Optional.empty();
    }
    var openid = user == null ? null : user.getString("openid");
    if (openid == null || openid.isBlank()) {
      return Optional.empty();
    }
    known.put(userId, openid);
    return Optional.of(openid);
  }
}
