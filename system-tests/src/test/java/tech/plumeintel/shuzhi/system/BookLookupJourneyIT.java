package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** A reader scans a book: the API, Kafka, the fetch-worker, the sources, MongoDB and back. */
class BookLookupJourneyIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  @Test
  void anUnknownBookIsFetchedFromDoubanThenServedWithItsCoverFromTheCache() {
    var reader = system.login("reader-lookup");
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);

    var first = reader.lookUp(isbn);

    assertThat(first.status()).isEqualTo(202);
    var pollUrl = first.json().path("poll_url").asString();
    assertThat(first.header("Location")).isEqualTo(pollUrl);
    assertThat(first.json().path("status").asString()).isEqualTo("pending");
    var task = reader.awaitTaskEnd(pollUrl, Duration.ofSeconds(30));
    assertThat(task.path("status").asString()).isEqualTo("succeeded");
    assertThat(task.path("error").isNull()).isTrue();
    var book = task.path("result");
    assertThat(book.path("isbn").asString()).isEqualTo(isbn);
    assertThat(book.path("title").asString()).isEqualTo(Books.TITLE);
    assertThat(book.path("author").asString()).isEqualTo(Books.AUTHOR);
    assertThat(book.path("publisher").asString()).isEqualTo("花城出版社");
    assertThat(book.path("introduction").asString()).isNotBlank();
    var coverUrl = book.path("cover_url").asString();
    assertThat(coverUrl).contains("/api/books/" + isbn + "/cover/?exp=");

    var cover = reader.get(URI.create(coverUrl).getPath());
    assertThat(cover.status()).isEqualTo(200);
    assertThat(cover.header("Content-Type")).isEqualTo("image/jpeg");
    assertThat(cover.header("Cache-Control")).contains("max-age");
    assertThat(cover.body().getBytes(StandardCharsets.ISO_8859_1)).hasSize(Books.COVER.length);

    var second = reader.lookUp(isbn);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().path("title").asString()).isEqualTo(Books.TITLE);
    assertThat(second.json().path("cover_url").asString()).isEqualTo(coverUrl);
    assertThat(system.upstreams.douban.requestsMentioning(isbn))
        .as("the second lookup is answered from the cache")
        .hasSize(1);
  }

  @Test
  void aBookNoSourceKnowsFailsTheTaskThenIsNotFoundAtOnce() {
    var reader = system.login("reader-missing");
    var isbn = TestIsbns.next();

    var first = reader.lookUp(isbn);

    assertThat(first.status()).isEqualTo(202);
    var task =
        reader.awaitTaskEnd(first.json().path("poll_url").asString(), Duration.ofSeconds(30));
    assertThat(task.path("status").asString()).isEqualTo("failed");
    assertThat(task.path("result").isNull()).isTrue();
    assertThat(task.path("error").path("code").asString()).isEqualTo("NOT_FOUND");
    assertThat(task.path("error").path("message").asString()).isNotBlank();

    long asked =
        system.upstreams.douban.requestsMentioning(isbn).size()
            + system.upstreams.openLibrary.requestsMentioning(isbn).size()
            + system.upstreams.google.requestsMentioning(isbn).size();
    var again = reader.lookUp(isbn);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().path("code").asString()).isEqualTo("NOT_FOUND");
    assertThat(
            system.upstreams.douban.requestsMentioning(isbn).size()
                + system.upstreams.openLibrary.requestsMentioning(isbn).size()
                + system.upstreams.google.requestsMentioning(isbn).size())
        .as("a book known to be missing asks no source again")
        .isEqualTo(asked);
  }
}
