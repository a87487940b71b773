package tech.plumeintel.shuzhi.fetch.source.openlibrary;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Reads Open Library's edition, work and author records. */
final class OpenLibraryRecords {

  private OpenLibraryRecords() {}

  /** An edition ({@code /books/OL…M.json}), with the keys of the records it points to. */
  record Edition(
      @Nullable String title,
      @Nullable String subtitle,
      @Nullable String publishers,
      @Nullable String publishDate,
      @Nullable Integer pages,
      @Nullable String description,
      @Nullable Long coverId,
      List<String> authorKeys,
      @Nullable String workKey) {}

  static Edition edition(JsonNode edition) {
    var publishers = new ArrayList<String>();
    for (var publisher : edition.path("publishers")) {
      if (publisher.isString() && !publisher.stringValue().isBlank()) {
        publishers.add(publisher.stringValue().strip());
      }
    }
    var authorKeys = new ArrayList<String>();
    for (var author : edition.path("authors")) {
      var key = text(author.path("key"));
      if (key != null) {
        authorKeys.add(key);
      }
    }
    var pages = edition.path("number_of_pages");
    return new Edition(
        text(edition.path("title")),
        text(edition.path("subtitle")),
        publishers.isEmpty() ? null : String.join(" / ", publishers),
        text(edition.path("publish_date")),
        pages.isIntegralNumber() && pages.asInt() > 0 ? pages.asInt() : null,
        description(edition.path("description")),
        coverId(edition),
        authorKeys,
        text(edition.path("works").path(0).path("key")));
  }

  /** A description, which Open Library gives as a string or as {@code {"type", "value"}}. */
  static @Nullable String description(JsonNode description) {
    if (description.isString()) {
      return blankToNull(description.stringValue());
    }
    return text(description.path("value"));
  }

  /** The first real cover id of an edition or work; {@code -1} marks a removed cover. */
  static @Nullable Long coverId(JsonNode record) {
    for (var id : record.path("covers")) {
      if (id.isIntegralNumber() && id.asLong() > 0) {
        return id.asLong();
      }
    }
    return null;
  }

  static @Nullable String authorName(JsonNode author) {
    var name = text(author.path("name"));
    return name != null ? name : text(author.path("personal_name"));
  }

  private static @Nullable String text(JsonNode node) {
    return node.isString() ? blankToNull(node.stringValue()) : null;
  }

  private static @Nullable String blankToNull(String text) {
    var stripped = text.replace("\r\n", "\n").strip();
    return stripped.isEmpty() ? null : stripped;
  }
}
