package tech.plumeintel.shuzhi.fetch.cover;

import static com.mongodb.client.model.Filters.eq;

import com.mongodb.MongoException;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBucket;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bson.BsonValue;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.CoverType;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.HostRateLimits;
import tech.plumeintel.shuzhi.fetch.source.HttpProperties;
import tech.plumeintel.shuzhi.fetch.source.SourceHttp;
import tech.plumeintel.shuzhi.fetch.source.UpstreamException;
import tech.plumeintel.shuzhi.fetch.source.douban.DoubanProperties;
import tech.plumeintel.shuzhi.fetch.source.google.GoogleBooksProperties;
import tech.plumeintel.shuzhi.fetch.source.openlibrary.OpenLibraryProperties;

/**
 * Keeps a copy of a book's cover in the {@value Book#COVERS_BUCKET} GridFS bucket, one file per
 * book named by its ISBN-13, with the image's type in {@code metadata.contentType}. Only images
 * from known hosts are fetched (see {@link CoverAllowlist}), and only JPEG, PNG, GIF and WebP, told
 * by their bytes, are kept. A cover that cannot be had never fails the book.
 */
@Component
public class CoverMirror implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(CoverMirror.class);
  private static final int MAX_REDIRECTS = 3;

  private final SourceHttp http;
  private final GridFSBucket bucket;
  private final CoverAllowlist allowlist;
  private final ExecutorService cleanups = Executors.newVirtualThreadPerTaskExecutor();

  CoverMirror(
      CoverProperties properties,
      HttpProperties http,
      HostRateLimits limits,
      Clock clock,
      MongoDatabase database,
      DoubanProperties douban,
      OpenLibraryProperties openLibrary,
      GoogleBooksProperties google) {
    this.http =
        new SourceHttp(
            new SourceHttp.Settings(
                properties.connectTimeout(),
                properties.requestTimeout(),
                properties.requestsPerSecond(),
                properties.maxSize()),
            http,
            limits,
            clock);
    this.bucket = GridFSBuckets.create(database, Book.COVERS_BUCKET);
    this.allowlist =
        new CoverAllowlist(
            properties.allowedHosts(),
            List.of(
                douban.baseUrl().toString(),
                openLibrary.coversBaseUrl().toString(),
                google.baseUrl().toString()),
            CoverAllowlist.SYSTEM);
  }

  /**
   * Downloads the cover and stores it in place of any older copy.
   *
   * @return whether a copy of this book's cover is held afterwards (an older one counts)
   */
  public boolean mirror(Isbn isbn, String coverUrl, Instant deadline) {
    try {
      var image = download(coverUrl, deadline);
      if (image != null) {
        store(isbn, image, coverUrl);
        log.info("Cover of {} stored, {} bytes", isbn, image.body().length);
        return true;
      }
    } catch (UpstreamException | MongoException e) {
      log.warn("Cover of {} not stored: {}", isbn, e.getMessage());
    }
    return hasCopy(isbn);
  }

  /** Whether a copy of the book's cover is held. */
  public boolean hasCopy(Isbn isbn) {
    try {
      return bucket.find(eq("filename", isbn.value())).first() != null;
    } catch (MongoException e) {
      return false;
    }
  }

  private record Image(CoverType type, byte[] body) {}

  private @Nullable Image download(String coverUrl, Instant deadline) {
    URI uri;
    try {
      uri = URI.create(coverUrl);
    } catch (IllegalArgumentException e) {
      log.warn("Cover URL unusable");
      return null;
    }
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!allowlist.allows(uri)) {
        log.warn("Cover host {} not allowed", uri.getHost());
        return null;
      }
      var answer = http.get(uri, "image/*", deadline);
      if (answer.isRedirect()) {
        uri = answer.redirectTarget(); // Open Library's covers move on to archive.org
        if (uri == null) {
          return null;
        }
        continue;
      }
      if (answer.status() != 200) {
        log.warn("Cover at {} answered {}", uri.getHost(), answer.status());
        return null;
      }
      // The bytes decide, not the Content-Type the host chose: covers are served to browsers,
      // and an SVG or HTML page there could run script.
      var type = CoverType.of(answer.body());
      if (type.isEmpty()) {
        log.warn(
            "Cover at {} is no JPEG, PNG, GIF or WebP image (sent as {}, {} bytes)",
            uri.getHost(),
            answer.contentType(),
            answer.body().length);
        return null;
      }
      return new Image(type.get(), answer.body());
    }
    log.warn("Cover redirected too often");
    return null;
  }

  // Upload first, then delete the older copies: a reader never finds no cover in between. The
  // deletes follow in the background, off the lookup's critical path: the API serves the newest
  // copy, so an older one left a moment longer is never seen, and one left by a failed cleanup
  // goes with the next copy stored.
  private void store(Isbn isbn, Image image, String sourceUrl) {
    var options =
        new GridFSUploadOptions()
            .metadata(
                new Document("contentType", image.type().mediaType())
                    .append("source_url", sourceUrl));
    var id = bucket.uploadFromStream(isbn.value(), new ByteArrayInputStream(image.body()), options);
    cleanups.execute(() -> dropOlderCopies(isbn, id));
  }

  private void dropOlderCopies(Isbn isbn, ObjectId kept) {
    try {
      var older = new ArrayList<BsonValue>();
      for (var file : bucket.find(eq("filename", isbn.value()))) {
        if (!file.getObjectId().equals(kept)) {
          older.add(file.getId());
        }
      }
      older.forEach(bucket::delete);
    } catch (MongoException e) {
      log.warn("Older covers of {} not deleted: {}", isbn, e.getMessage());
    }
  }

  @Override
  public void destroy() {
    cleanups.close(); // waits for the deletes under way
  }
}
