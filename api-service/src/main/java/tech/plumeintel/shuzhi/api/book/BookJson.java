package tech.plumeintel.shuzhi.api.book;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;

/**
 * A known book as the lookup answers it, rendered to JSON once per book read and address the API
 * was reached at, not once per lookup (building the view and serialising it was a tenth of a
 * lookup's CPU). The answer still goes through the JSON message converter, so content negotiation
 * and headers are as before. Renderings hang on the very {@link Book} instance that {@link
 * RecentBooks} read, so a book read anew is rendered anew and the old renderings go with the old
 * instance; and they are keyed by what {@code ServletUriComponentsBuilder} builds the API's address
 * from, so a cover link never points at another address than the request's.
 */
@Component
class BookJson {

  /** The Host header is the client's to choose: a book keeps this many renderings at most. */
  private static final int MAX_ADDRESSES = 8;

  private record Address(String scheme, String host, int port, String contextPath) {}

  private final JsonMapper json;
  private final CoverUrls covers;

  /** Weak keys compare by identity, which is also far cheaper than comparing whole books. */
  private final Cache<Book, Map<Address, RawValue>> rendered =
      Caffeine.newBuilder().weakKeys().maximumSize(1_000).build();

  BookJson(JsonMapper json, CoverUrls covers) {
    this.json = json;
    this.covers = covers;
  }

  /** The book's view for this request, ready to be written as the response body. */
  RawValue render(Book book, HttpServletRequest request) {
    var address =
        new Address(
            request.getScheme(),
            request.getServerName(),
            request.getServerPort(),
            request.getContextPath());
    var renderings = rendered.get(book, b -> new ConcurrentHashMap<>());
    var known = renderings.get(address);
    if (known != null) {
      return known;
    }
    var fresh = new RawValue(json.writeValueAsString(BookView.ofCurrentRequest(book, covers)));
    if (renderings.size() < MAX_ADDRESSES) {
      renderings.put(address, fresh);
    }
    return fresh;
  }
}
