package tech.plumeintel.shuzhi.api.user;

import java.time.Instant;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;
import org.jspecify.annotations.Nullable;

/** A reader, as stored in the {@code users} collection; one per WeChat openid. */
public record UserAccount(
    @BsonId String id,
    String openid,
    @Nullable String unionid,
    @Nullable String nickname,
    @BsonProperty("avatar_url") @Nullable String avatarUrl,
    @BsonProperty("created_at") Instant createdAt,
    @BsonProperty("updated_at") Instant updatedAt) {

  static final String COLLECTION = "users";

  /** What the reader and the mini-program see: never the openid. */
  public UserView view() {
    return new UserView(id, nickname == null ? "" : nickname, avatarUrl == null ? "" : avatarUrl);
  }

  public record UserView(String id, String nickname, String avatarUrl) {}
}
