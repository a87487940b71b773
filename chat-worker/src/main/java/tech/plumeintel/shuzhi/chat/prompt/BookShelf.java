package tech.plumeintel.shuzhi.chat.prompt;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;

/** Reads the books the fetch-worker stored. */
@Component
class BookShelf {

  private final MongoCollection<Book> books;

  BookShelf(MongoDatabase database) {
    this.books = database.getCollection(Book.COLLECTION, Book.class);
  }

  Optional<Book> find(String isbn) {
    return Optional.ofNullable(books.find(eq("_id", isbn)).first());
  }
}
