package tech.plumeintel.shuzhi.api.user;

import java.time.Instant;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

/**
 * One saved book; the id joins user and book, so saving twice cannot make two entries. Public only
 * because the driver's record codec needs it.
 */
public record SavedBook(
    @BsonId String id,
    @BsonProperty("user_id") String userId,
    String isbn,
    @BsonProperty("saved_at") Instant savedAt) {}
