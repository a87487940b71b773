package tech.plumeintel.shuzhi.bench;

import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import java.util.ArrayList;
import java.util.List;
import org.bson.Document;

/**
 * Many cached books for the lookup phases: the one book the bench fetched through the system,
 * copied under other ISBN-13s straight into MongoDB. Fetching 10,000 books through the sources'
 * rate limits would take most of an hour; what the lookups measure is reading a cached book, and
 * each copy is a real stored document that the API decodes and renders as its own.
 */
final class Catalogue {

  private Catalogue() {}

  /**
   * Stores {@code count} copies of {@code template}'s document; returns their ISBNs, most popular
   * first.
   */
  static List<String> copy(String mongoUri, String template, int count) {
    try (var mongo = MongoClients.create(mongoUri)) {
      var books = mongo.getDatabase("shuzhi").getCollection("books");
      var original = books.find(Filters.eq("_id", template)).first();
      if (original == null) {
        throw new IllegalStateException("book " + template + " is not stored");
      }
      var isbns = new ArrayList<String>(count);
      var batch = new ArrayList<Document>();
      for (int i = 0; i < count; i++) {
        var isbn = isbn13(i);
        isbns.add(isbn);
        var copy = new Document(original);
        copy.put("_id", isbn);
        batch.add(copy);
        if (batch.size() == 1_000) {
          books.insertMany(batch);
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        books.insertMany(batch);
      }
      return isbns;
    }
  }

  /** The n-th ISBN-13 of a prefix no real book and no other phase uses (979-12-…). */
  static String isbn13(int n) {
    var digits = new StringBuilder("97912").append(String.format("%07d", n));
    int sum = 0;
    for (int i = 0; i < 12; i++) {
      sum += (digits.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
    }
    return digits.append((10 - sum % 10) % 10).toString();
  }
}
