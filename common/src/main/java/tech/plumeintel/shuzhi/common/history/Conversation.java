package tech.plumeintel.shuzhi.common.history;

import java.time.Instant;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

/**
 * A user's conversation about one book, in the {@value #COLLECTION} collection: one per (user,
 * book), unique on {@code (user_id, isbn)}, and indexed on {@code (user_id, updated_at)} for the
 * history list. The chat-worker creates it with the first exchange and updates it with each later
 * one; its exchanges are in {@link Exchange#COLLECTION}.
 *
 * @param id a random id (the history detail's id in URLs)
 * @param isbn ISBN-13
 * @param updatedAt when the last exchange ended
 * @param exchangeCount how many exchanges were stored, whatever their status
 * @param lastQuestion the user's question of the last exchange, for the history list
 */
public record Conversation(
    @BsonId String id,
    @BsonProperty("user_id") String userId,
    String isbn,
    @BsonProperty("created_at") Instant createdAt,
    @BsonProperty("updated_at") Instant updatedAt,
    @BsonProperty("exchange_count") int exchangeCount,
    @BsonProperty("last_question") String lastQuestion) {

  /** The MongoDB collection of conversations. */
  public static final String COLLECTION = "conversations";
}
