package tech.plumeintel.shuzhi.api.book;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.bson.Document;
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

/** Serves the cover copies the fetch-worker keeps (Douban's image hosts refuse hot-linking). */
@RestController
class CoverController {

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
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(cache).build();
    }
    var out = new ByteArrayOutputStream((int) Math.min(file.getLength(), 4 << 20));
    books.coverBucket().downloadToStream(file.getObjectId(), out);
    return ResponseEntity.ok()
        .contentType(contentType(file.getMetadata()))
        .eTag(etag)
        .cacheControl(cache)
        .body(out.toByteArray());
  }

  private static MediaType contentType(Document metadata) {
    if (metadata != null) {
      for (var key : new String[] {"content_type", "contentType"}) {
        var value = metadata.getString(key);
        if (value != null && value.startsWith("image/")) {
          return MediaType.parseMediaType(value);
        }
      }
    }
    return MediaType.IMAGE_JPEG;
  }
}
