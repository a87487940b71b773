package tech.plumeintel.shuzhi.chat.history;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.setOnInsert;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/**
 * Stores an ended exchange under its conversation: the conversation is upserted atomically (created
 * with the first exchange, counted and stamped with each), then the exchange is inserted under the
 * request id. MongoDB has no transactions here, so the order is chosen for what a crash leaves: at
 * worst a count one too high, never an exchange without its conversation.
 */
@Component
public class HistoryRecorder {

  private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);

  private final MongoCollection<Conversation> conversations;
  private final MongoCollection<Exchange> exchanges;
  private final IdGenerator ids;

  HistoryRecorder(MongoDatabase database, IdGenerator conversationIds) {
    this.conversations = database.getCollection(Conversation.COLLECTION, Conversation.class);
    this.exchanges = database.getCollection(Exchange.COLLECTION, Exchange.class);
    this.ids = conversationIds;
    createIndexes();
  }

  /**
   * Records an exchange whose {@code conversationId} is ignored (the conversation's is used).
   *
   * @return the conversation's id
   */
  public String record(Exchange exchange) {
    if (exchanges.find(eq("_id", exchange.requestId())).first() != null) {
      // A redelivered job whose claim had expired: stored already, and counted.
      log.info("Exchange {} already stored", exchange.requestId());
      return exchange.conversationId();
    }
    var conversation = upsertConversation(exchange);
    try {
      exchanges.insertOne(withConversation(exchange, conversation.id()));
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
      log.info("Exchange {} stored concurrently", exchange.requestId());
    }
    return conversation.id();
  }

  private Conversation upsertConversation(Exchange exchange) {
    try {
      return upsertOnce(exchange);
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
      // Two first exchanges of one conversation raced and both tried to insert it; the loser's
      // second try finds the winner's document and updates it.
      return upsertOnce(exchange);
    }
  }

  private Conversation upsertOnce(Exchange exchange) {
    Instant now = exchange.completedAt();
    var update =
        combine(
            setOnInsert("_id", ids.next()),
            setOnInsert("created_at", exchange.createdAt()),
            inc("exchange_count", 1),
            set("updated_at", now),
            set("last_question", exchange.question()));
    var result =
        conversations.findOneAndUpdate(
            and(eq("user_id", exchange.userId()), eq("isbn", exchange.isbn())),
            update,
            new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
    if (result == null) {
      throw new IllegalStateException("upsert returned no conversation");
    }
    return result;
  }

  private static Exchange withConversation(Exchange exchange, String conversationId) {
    return new Exchange(
        exchange.requestId(),
        conversationId,
        exchange.userId(),
        exchange.isbn(),
        exchange.question(),
        exchange.answer(),
        exchange.reasoning(),
        exchange.status(),
        exchange.usage(),
        exchange.model(),
        exchange.createdAt(),
        exchange.firstTokenAt(),
        exchange.completedAt());
  }

  private void createIndexes() {
    conversations.createIndex(
        Indexes.ascending("user_id", "isbn"), new IndexOptions().unique(true).name("user_book"));
    conversations.createIndex(
        Indexes.compoundIndex(Indexes.ascending("user_id"), Indexes.descending("updated_at")),
        new IndexOptions().name("user_recent"));
    exchanges.createIndex(
        Indexes.ascending("conversation_id", "created_at"),
        new IndexOptions().name("conversation_order"));
  }
}
