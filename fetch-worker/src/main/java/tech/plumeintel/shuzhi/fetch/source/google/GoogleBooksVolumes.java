package tech.plumeintel.shuzhi.fetch.source.google;

import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.BookFields;
import tools.jackson.databind.JsonNode;

/** Reads a {@code volumes?q=isbn:} answer. */
final class GoogleBooksVolumes {

  // Largest first; Google lists only the sizes it has.
  private static final List<String> IMAGE_SIZES =
      List.of("extraLarge", "large", "medium", "small", "thumbnail", "smallThumbnail");

  private GoogleBooksVolumes() {}

  /**
   * The fields of the volume that carries this ISBN. The search is a full-text one, so a hit that
   * does not list the ISBN is some other book.
   */
  static Optional<BookFields> read(JsonNode answer, Isbn isbn) {
    for (var item : answer.path("items")) {
      var volume = item.path("volumeInfo");
      if (carries(volume, isbn)) {
        return Optional.of(fields(volume));
      }
    }
    return Optional.empty();
  }

  private static boolean carries(JsonNode volume, Isbn isbn) {
    for (var id : volume.path("industryIdentifiers")) {
      var value = text(id.path("identifier"));
      if (value != null
          && (value.equals(isbn.value()) || value.equals(isbn.isbn10().orElse(null)))) {
        return true;
      }
    }
    return false;
  }

  private static BookFields fields(JsonNode volume) {
    var authors = new ArrayList<String>();
    for (var author : volume.path("authors")) {
      var name = text(author);
      if (name != null) {
        authors.add(name);
      }
    }
    var pages = volume.path("pageCount");
    return BookFields.builder()
        .put(TITLE, text(volume.path("title")))
        .put(SUBTITLE, text(volume.path("subtitle")))
        .put(AUTHOR, String.join(" / ", authors))
        .put(PUBLISHER, text(volume.path("publisher")))
        .put(PUB_DATE, text(volume.path("publishedDate")))
        .put(PAGES, pages.isIntegralNumber() && pages.asInt() > 0 ? pages.asInt() : null)
        .put(INTRODUCTION, text(volume.path("description")))
        .put(COVER, image(volume.path("imageLinks")))
        .build();
  }

  private static @Nullable String image(JsonNode links) {
    for (var size : IMAGE_SIZES) {
      var url = text(links.path(size));
      if (url != null) {
        return onGoogleOverHttps(url);
      }
    }
    return null;
  }

  // Google lists http links to its image hosts, which answer over https as well.
  private static String onGoogleOverHttps(String url) {
    var host = URI.create(url).getHost();
    boolean google =
        host != null && (host.endsWith(".google.com") || host.endsWith(".googleusercontent.com"));
    return google && url.startsWith("http://") ? "https://" + url.substring(7) : url;
  }

  private static @Nullable String text(JsonNode node) {
    if (!node.isString() || node.stringValue().isBlank()) {
      return null;
    }
    return node.stringValue().strip();
  }
}
