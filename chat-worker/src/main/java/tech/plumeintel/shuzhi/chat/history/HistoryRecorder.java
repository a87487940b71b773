package tech.plumeintel.shuzhi.chat.history;

import static com.mongodb.client.model.Filters.and;
import static com.mongodb.client.model.Filters.eq;
import static com.mongodb.client.model.Updates.combine;
import static com.mongodb.client.model.Updates.inc;
import static com.mongodb.client.model.Updates.set;
import static com.mongodb.client.model.Updates.setOnInsert;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import java.time.Instant;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.platform.IdGenerator;

/**
 * Stores an ended exchange under its conversation: the conversation is upserted atomically (created
 * with the first exchange, counted and stamped with each), then the exchange is inserted under the
 * request id. MongoDB has no transactions here, so the order is chosen for what a crash leaves: at
 * worst a count one too high, never an exchange without its conversation.
 *
 * <p>Each of those steps is tried again while the store cannot be reached ({@link
 * HistoryProperties}): the exchange exists nowhere else once its stream has ended (its job left
 * Kafka when it started), and a MongoDB restart or failover takes seconds. Only the step that
 * failed is repeated, so a retried insert does not count the exchange twice.
 */
@Component
public class HistoryRecorder {

  private static final Logger log = LoggerFactory.getLogger(HistoryRecorder.class);

  private final MongoCollection<Conversation> conversations;
  private final MongoCollection<Exchange> exchanges;
  private final IdGenerator ids;
  private final RetryTemplate retries;

  HistoryRecorder(MongoDatabase database, IdGenerator conversationIds, HistoryProperties history) {
    this.conversations = database.getCollection(Conversation.COLLECTION, Conversation.class);
    this.exchanges = database.getCollection(Exchange.COLLECTION, Exchange.class);
    this.ids = conversationIds;
    this.retries = new RetryTemplate(whileUnreachable(history));
    retries.setRetryListener(
        new RetryListener() {
          @Override
          public void beforeRetry(RetryPolicy policy, Retryable<?> step, RetryState state) {
            // Counted before this call: 1 is the first retry.
            if (state.getRetryCount() == 1) {
              log.warn(
                  "{} not done yet ({}); trying again",
                  step.getName(),
                  state.getLastException().getClass().getSimpleName());
            }
          }
        });
    createIndexes();
  }

  /**
   * What says the store cannot be reached; a refused write (a duplicate key, a validation error)
   * would be refused again.
   */
  private static RetryPolicy whileUnreachable(HistoryProperties history) {
    return RetryPolicy.builder()
        .includes(
            MongoTimeoutException.class,
            MongoSocketException.class,
            MongoNotPrimaryException.class,
            MongoNodeIsRecoveringException.class)
        .maxRetries(Long.MAX_VALUE)
        .delay(history.storeRetryDelay())
        .multiplier(2)
        .maxDelay(history.storeRetryDelay().multipliedBy(16))
        .timeout(history.storeRetryFor())
        .build();
  }

  /**
   * Records an exchange whose {@code conversationId} is ignored (the conversation's is used).
   *
   * @return the conversation's id
   * @throws com.mongodb.MongoException when the store could not take it, retries included
   */
  public String record(Exchange exchange) {
    var id = exchange.requestId();
    var stored =
        retried("Exchange " + id + "'s lookup", () -> exchanges.find(eq("_id", id)).first());
    if (stored != null) {
      // A redelivered job whose claim had expired, or an insert that landed unacknowledged.
      log.info("Exchange {} already stored", id);
      return stored.conversationId();
    }
    var conversation =
        retried("Exchange " + id + "'s conversation", () -> upsertConversation(exchange));
    return retried(
        "Exchange " + id,
        () -> {
          try {
            exchanges.insertOne(withConversation(exchange, conversation.id()));
          } catch (MongoWriteException e) {
            if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
              throw e;
            }
            // Stored concurrently, or by an earlier try whose acknowledgement was lost.
            log.info("Exchange {} stored already", id);
          }
          return conversation.id();
        });
  }

  private <T> T retried(String step, Supplier<T> body) {
    try {
      return retries.execute(
          new Retryable<T>() {
            @Override
            public T execute() {
              return body.get();
            }

            @Override
            public String getName() {
              return step;
            }
          });
    } catch (RetryException e) {
      if (e.getLastException() instanceof RuntimeException last) {
        throw last;
      }
      throw new IllegalStateException(e.getLastException());
    }
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
        exchange.completedAt(),
        exchange.upstream(),
        exchange.continuations());
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
