package tech.plumeintel.shuzhi.api.book;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.common.book.CoverType;

/**
 * Serves the cover copies the fetch-worker keeps (Douban's image hosts refuse hot-linking): JPEG,
 * PNG, GIF or WebP only, told by their bytes, with {@code X-Content-Type-Options: nosniff}.
 */
@RestController
class CoverController {

  /** Browsers must take the image as the type we name, never guess another from its bytes. */
  private static final String NOSNIFF_HEADER = "X-Content-Type-Options";

  private final BookStore books;

  CoverController(BookStore books) {
    this.books = books;
  }

  @GetMapping("/api/books/{isbn}/cover/")
  ResponseEntity<byte[]> cover(
      Caller caller,
      @PathVariable String isbn,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    var file =
        books.cover(IsbnParameter.parse(isbn)).orElseThrow(() -> ApiException.notFound("这本书还没有封面"));
    var etag = "\"" + file.getObjectId().toHexString() + "\"";
    var cache = CacheControl.maxAge(Duration.ofDays(7)).cachePrivate();
    if (etag.equals(ifNoneMatch)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
          .header(NOSNIFF_HEADER, "nosniff")
          .eTag(etag)
          .cacheControl(cache)
          .build();
    }
    var out = new ByteArrayOutputStream((int) Math.min(file.getLength(), 4 << 20));
    books.coverBucket().downloadToStream(file.getObjectId(), out);
    var image = out.toByteArray();
    // Covers are to be loaded without a token (signed URLs): only what the bytes prove to be a
    // raster image is served, whatever the stored metadata says (a copy stored before the mirror
    // checked types, or put there by hand).
    var type = CoverType.of(image).orElseThrow(() -> ApiException.notFound("这本书还没有封面"));
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(type.mediaType()))
        .header(NOSNIFF_HEADER, "nosniff")
        .eTag(etag)
        .cacheControl(cache)
        .body(image);
  }
}
