package tech.plumeintel.shuzhi.api.user;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** The {@code collections} collection: the books each reader saved, one entry per book. */
@Component
class SavedBooks {

  static final String COLLECTION = "collections";

  private final MongoCollection<SavedBook> saved;
  private final Clock clock;

  SavedBooks(MongoDatabase database, Clock clock) {
    this.saved = database.getCollection(COLLECTION, SavedBook.class);
    this.clock = clock;
    saved.createIndex(
        Indexes.compoundIndex(Indexes.ascending("user_id"), Indexes.descending("saved_at")));
  }

  /**
   * @return the entry, new or as saved before; empty when the book is not saved yet and the reader
   *     already has {@code max} saved books (concurrent saves can pass the bound by how many race)
   */
  Optional<SavedBook> save(String userId, Isbn isbn, int max) {
    var id = userId + ":" + isbn.value();
    var existing = saved.find(Filters.eq("_id", id)).first();
    if (existing != null) {
      return Optional.of(existing);
    }
    if (count(userId) >= max) {
      return Optional.empty();
    }
    return Optional.of(insert(userId, isbn, id));
  }

  private SavedBook insert(String userId, Isbn isbn, String id) {
    // Mongo keeps milliseconds; the first answer must equal every later one.
    var now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    var entry = new SavedBook(id, userId, isbn.value(), now);
    try {
      saved.insertOne(entry);
      return entry;
    } catch (MongoWriteException e) {
      if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
        throw e;
      }
      var existing = saved.find(Filters.eq("_id", entry.id())).first();
      return existing == null ? entry : existing;
    }
  }

  boolean remove(String userId, Isbn isbn) {
    return saved.deleteOne(Filters.eq("_id", userId + ":" + isbn.value())).getDeletedCount() > 0;
  }

  long count(String userId) {
    return saved.countDocuments(Filters.eq("user_id", userId));
  }

  List<SavedBook> page(String userId, PageRequest page) {
    return saved
        .find(Filters.eq("user_id", userId))
        .sort(Sorts.orderBy(Sorts.descending("saved_at"), Sorts.descending("_id")))
        .skip(page.offset())
        .limit(page.limit())
        .into(new ArrayList<>());
  }
}
