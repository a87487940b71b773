package tech.plumeintel.shuzhi.api.user;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;

/**
 * The reading history the chat-workers write: conversations (one per reader and book) and their
 * exchanges. Every query names the reader, so nobody reads or deletes another reader's history.
 */
@Component
class Conversations {

  /** Bound on one conversation's detail; a reader never gets near it in practice. */
  static final int MAX_EXCHANGES = 500;

  private final MongoCollection<Conversation> conversations;
  private final MongoCollection<Exchange> exchanges;

  Conversations(MongoDatabase database) {
    this.conversations = database.getCollection(Conversation.COLLECTION, Conversation.class);
    this.exchanges = database.getCollection(Exchange.COLLECTION, Exchange.class);
  }

  long count(String userId) {
    return conversations.countDocuments(Filters.eq("user_id", userId));
  }

  List<Conversation> page(String userId, PageRequest page) {
    return conversations
        .find(Filters.eq("user_id", userId))
        .sort(Sorts.orderBy(Sorts.descending("updated_at"), Sorts.descending("_id")))
        .skip(page.offset())
        .limit(page.limit())
        .into(new ArrayList<>());
  }

  Optional<Conversation> find(String userId, String conversationId) {
    return Optional.ofNullable(
        conversations
            .find(Filters.and(Filters.eq("_id", conversationId), Filters.eq("user_id", userId)))
            .first());
  }

  List<Exchange> exchanges(String userId, String conversationId) {
    return exchanges
        .find(
            Filters.and(
                Filters.eq("conversation_id", conversationId), Filters.eq("user_id", userId)))
        .sort(Sorts.ascending("created_at"))
        .limit(MAX_EXCHANGES)
        .into(new ArrayList<>());
  }

  /**
   * @return false when the reader has no such conversation
   */
  boolean delete(String userId, String conversationId) {
    var deleted =
        conversations.deleteOne(
            Filters.and(Filters.eq("_id", conversationId), Filters.eq("user_id", userId)));
    if (deleted.getDeletedCount() == 0) {
      return false;
    }
    exchanges.deleteMany(
        Filters.and(Filters.eq("conversation_id", conversationId), Filters.eq("user_id", userId)));
    return true;
  }
}
