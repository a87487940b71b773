package tech.plumeintel.shuzhi.api.book;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tools.jackson.databind.json.JsonMapper;

/**
 * A known book as the lookup answers it, rendered to JSON once per book read and address the API
 * was reached at, not once per lookup (building the view and serialising it was a tenth of a
 * lookup's CPU), and kept as UTF-8 bytes: handing Jackson a pre-rendered string still cost a
 * quarter of a cached lookup's CPU in encoding and copying it again for every answer. Renderings
 * hang on the very {@link Book} instance that {@link RecentBooks} read, so a book read anew is
 * rendered anew and the old renderings go with the old instance; and they are keyed by what {@code
 * ServletUriComponentsBuilder} builds the API's address from, so a cover link never points at
 * another address than the request's.
 */
@Component
class BookJson {

  /** The Host header is the client's to choose: a book keeps this many renderings at most. */
  private static final int MAX_ADDRESSES = 8;

  private record Address(String scheme, String host, int port, String contextPath) {}

  private final JsonMapper json;
  private final CoverUrls covers;

  /**
   * Weak keys compare by identity, which is also far cheaper than comparing whole books. As many as
   * {@link RecentBooks} keeps: fewer, and a catalogue's long tail is rendered on every lookup.
   */
  private final Cache<Book, Map<Address, byte[]>> rendered;

  BookJson(JsonMapper json, CoverUrls covers, BooksProperties properties) {
    this.json = json;
    this.covers = covers;
    this.rendered =
        Caffeine.newBuilder().weakKeys().maximumSize(properties.inMemoryBooks()).build();
  }

  /** The book's view for this request as JSON, ready to be written as the response body. */
  byte[] render(Book book, HttpServletRequest request) {
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
    var fresh = json.writeValueAsBytes(BookView.ofCurrentRequest(book, covers));
    if (renderings.size() < MAX_ADDRESSES) {
      renderings.put(address, fresh);
    }
    return fresh;
  }
}
