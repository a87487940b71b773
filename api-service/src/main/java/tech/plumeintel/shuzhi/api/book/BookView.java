package tech.plumeintel.shuzhi.api.book;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tech.plumeintel.shuzhi.common.book.Book;

/**
 * A book as the mini-program sees it. {@code cover_url} is ours, signed, whenever we hold the
 * image.
 */
public record BookView(
    String isbn,
    @Nullable String title,
    @Nullable String subtitle,
    @Nullable String originalTitle,
    @Nullable String author,
    @Nullable String translator,
    @Nullable String publisher,
    @Nullable String pubDate,
    @Nullable Integer pages,
    @Nullable String price,
    @Nullable String binding,
    @Nullable String series,
    @Nullable Double rating,
    @Nullable Integer ratingCount,
    @Nullable String introduction,
    @Nullable String authorIntro,
    @Nullable String coverUrl,
    Map<String, String> sources,
    Instant fetchedAt) {

  /** The book with its links on the address this request reached the API at. */
  public static BookView ofCurrentRequest(Book book, CoverUrls covers) {
    return of(book, ServletUriComponentsBuilder.fromCurrentContextPath().build().toUri(), covers);
  }

  public static BookView of(Book book, URI apiBase, CoverUrls covers) {
    return new BookView(
        book.isbn(),
        book.title(),
        book.subtitle(),
        book.originalTitle(),
        book.author(),
        book.translator(),
        book.publisher(),
        book.pubDate(),
        book.pages(),
        book.price(),
        book.binding(),
        book.series(),
        book.rating(),
        book.ratingCount(),
        book.introduction(),
        book.authorIntro(),
        coverUrl(book, apiBase, covers),
        book.sources(),
        book.fetchedAt());
  }

  private static @Nullable String coverUrl(Book book, URI apiBase, CoverUrls covers) {
    if (book.coverStored()) {
      // Signed: <image src> sends no Authorization header.
      return apiBase.resolve(covers.signedPath(book.isbn())).toString();
    }
    var source = book.coverSourceUrl();
    // Douban's image hosts refuse hot-linking, so their URL is useless to the mini-program.
    return source == null || source.contains("doubanio.com") ? null : source;
  }
}
