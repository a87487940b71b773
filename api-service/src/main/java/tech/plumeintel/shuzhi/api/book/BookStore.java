package tech.plumeintel.shuzhi.api.book;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSFile;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** Books and their covers as the fetch-worker stored them. */
@Component
public class BookStore {

  private final MongoCollection<Book> books;
  private final GridFSBucket covers;

  BookStore(MongoDatabase database) {
    this.books = database.getCollection(Book.COLLECTION, Book.class);
    this.covers = GridFSBuckets.create(database, Book.COVERS_BUCKET);
  }

  public Optional<Book> find(Isbn isbn) {
    return Optional.ofNullable(books.find(Filters.eq("_id", isbn.value())).first());
  }

  /** The stored ones among these books, in one query. */
  public List<Book> findAll(Collection<String> isbns) {
    if (isbns.isEmpty()) {
      return List.of();
    }
    return books.find(Filters.in("_id", isbns)).into(new ArrayList<>());
  }

  Optional<GridFSFile> cover(Isbn isbn) {
    return Optional.ofNullable(
        covers
            .find(Filters.eq("filename", isbn.value()))
            .sort(Sorts.descending("uploadDate"))
            .first());
  }

  GridFSBucket coverBucket() {
    return covers;
  }
}
