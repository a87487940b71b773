package tech.plumeintel.shuzhi.common.book;

import java.time.Instant;
import java.util.Map;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * A book as the fetch-worker merged it from its sources and stored it in the {@value #COLLECTION}
 * collection, keyed by ISBN-13. The API serves it, the chat-worker builds prompts from it.
 *
 * @param author display string; several authors joined with {@code " / "}
 * @param coverSourceUrl where the cover was found upstream; never handed to clients as is, since
 *     Douban refuses hot-linking
 * @param coverStored whether a copy of the cover is in the {@value #COVERS_BUCKET} GridFS bucket
 * @param sources for each field that has a value, the source it came from ({@code douban}, {@code
 *     openlibrary}, {@code google})
 * @param fetchedAt when the sources were asked; freshness is decided from it
 */
public record Book(
    @BsonId String isbn,
    @Nullable String title,
    @Nullable String subtitle,
    @BsonProperty("original_title") @Nullable String originalTitle,
    @Nullable String author,
    @Nullable String translator,
    @Nullable String publisher,
    @BsonProperty("pub_date") @Nullable String pubDate,
    @Nullable Integer pages,
    @Nullable String price,
    @Nullable String binding,
    @Nullable String series,
    @Nullable Double rating,
    @BsonProperty("rating_count") @Nullable Integer ratingCount,
    @Nullable String introduction,
    @BsonProperty("author_intro") @Nullable String authorIntro,
    @BsonProperty("cover_source_url") @Nullable String coverSourceUrl,
    @BsonProperty("cover_stored") boolean coverStored,
    Map<String, String> sources,
    @BsonProperty("fetched_at") Instant fetchedAt) {

  /** The MongoDB collection of books. */
  public static final String COLLECTION = "books";

  /** The GridFS bucket holding cover images, one file per ISBN-13 (the file name). */
  public static final String COVERS_BUCKET = "covers";

  public Book {
    sources = sources == null ? Map.of() : Map.copyOf(sources);
  }
}
