package tech.plumeintel.shuzhi.fetch.job;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.ReplaceOptions;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** The {@value Book#COLLECTION} collection, one document per ISBN-13. */
@Component
class BookStore {

  private final MongoCollection<Book> books;

  BookStore(MongoDatabase database) {
    this.books = database.getCollection(Book.COLLECTION, Book.class);
  }

  Optional<Book> find(Isbn isbn) {
    return Optional.ofNullable(books.find(eq("_id", isbn.value())).first());
  }

  /** Inserts the book or replaces the stored one. */
  void save(Book book) {
    books.replaceOne(eq("_id", book.isbn()), book, new ReplaceOptions().upsert(true));
  }
}
