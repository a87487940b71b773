package tech.plumeintel.shuzhi.api.book;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;

/**
 * A known book as the lookup answers it, rendered to JSON once per version of the book and address
 * the API was reached at, not once per lookup (building the view and serialising it was a tenth of a
 * lookup's CPU). The answer still goes through the JSON message converter, so content negotiation
 * and headers are as before. Keyed by the whole book, so a changed book is rendered anew; and by
 * what {@code ServletUriComponentsBuilder} builds the API's address from, so a cover link never
 * points at another address than the request's.
 */
@Component
class BookJson {

  private record Key(Book book, String scheme, String host, int port, String contextPath) {}

  private final JsonMapper json;
  private final Cache<Key, RawValue> rendered = Caffeine.newBuilder()
      .maximumSize(1_000)
      .expireAfterAccess(Duration.ofMinutes(1))
      .build();

  BookJson(JsonMapper json) {
    this.json = json;
  }

  /** The book's view for this request, ready to be written as the response body. */
  RawValue render(Book book, HttpServletRequest request) {
    var key = new Key(book, request.getScheme(), request.getServerName(), request.getServerPort(),
        request.getContextPath());
    return rendered.get(key,
        k -> new RawValue(json.writeValueAsString(BookView.ofCurrentRequest(book))));
  }
}
