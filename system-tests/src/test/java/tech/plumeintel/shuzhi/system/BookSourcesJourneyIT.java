package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * How the sources are used end to end: shared fetches, a blocked Douban, covers behind a Referer
 * check.
 */
class BookSourcesJourneyIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  private static byte[] openLibraryFixture(String name) {
    try (var in = BookSourcesJourneyIT.class.getResourceAsStream("/fixtures/openlibrary/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void fiftyConcurrentLookupsOfANewBookMakeOneTaskAndOneFetch() throws Exception {
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    var readers = new ArrayList<Reader>();
    for (int i = 0; i < 5; i++) {
      readers.add(system.login("reader-crowd-" + i));
    }
    var lookups = new ArrayList<Callable<JsonHttp.Answer>>();
    for (int i = 0; i < 50; i++) {
      var reader = readers.get(i % readers.size());
      lookups.add(() -> reader.lookUp(isbn));
    }

    var taskIds = new ArrayList<String>();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var answer : pool.invokeAll(lookups)) {
        assertThat(answer.get().status()).isIn(200, 202);
        if (answer.get().status() == 202) {
          taskIds.add(answer.get().json().path("task_id").asString());
        }
      }
    }

    assertThat(taskIds).isNotEmpty().containsOnly(taskIds.getFirst());
    var task =
        readers
            .getFirst()
            .awaitTaskEnd("/api/tasks/" + taskIds.getFirst() + "/", Duration.ofSeconds(30));
    assertThat(task.path("status").asString()).isEqualTo("succeeded");
    assertThat(system.upstreams.douban.requestsMentioning(isbn))
        .as("one fetch for fifty lookups")
        .hasSize(1);
  }

  @Test
  void aBlockedDoubanFallsThroughToOpenLibrary() {
    // Open Library's record of this book is recorded; Douban turns us away to its security check.
    var isbn = "9780140328721";
    var upstreams = system.upstreams;
    upstreams.douban.on(
        Books.doubanPath(isbn), SourceStandIn.redirect("https://sec.douban.com/b?r=" + isbn));
    upstreams
        .openLibrary
        .on("/isbn/" + isbn + ".json", SourceStandIn.redirect("/books/OL7353617M.json"))
        .on(
            "/books/OL7353617M.json",
            SourceStandIn.json(openLibraryFixture("books-OL7353617M.json")))
        .on("/works/OL45804W.json", SourceStandIn.json(openLibraryFixture("works-OL45804W.json")))
        .on(
            "/authors/OL34184A.json",
            SourceStandIn.json(openLibraryFixture("authors-OL34184A.json")));
    var reader = system.login("reader-blocked-douban");

    var first = reader.lookUp(isbn);

    assertThat(first.status()).isEqualTo(202);
    var task =
        reader.awaitTaskEnd(first.json().path("poll_url").asString(), Duration.ofSeconds(30));
    assertThat(task.path("status").asString()).isEqualTo("succeeded");
    var book = task.path("result");
    assertThat(book.path("title").asString()).isEqualTo("Fantastic Mr. Fox");
    assertThat(book.path("sources").path("title").asString()).isEqualTo("openlibrary");
    assertThat(upstreams.openLibrary.requestsMentioning(isbn)).isNotEmpty();
  }

  @Test
  void aDoubanCoverBehindAForeignRefererCheckIsServedByUs() {
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    // Douban's image hosts refuse requests that come with another site's Referer (hot-linking).
    system.upstreams.douban.on(
        Books.COVER_PATH,
        exchange -> {
          var referer = exchange.getRequestHeaders().getFirst("Referer");
          var allowed = referer == null || referer.contains("douban.com");
          SourceStandIn.body(allowed ? 200 : 403, "image/jpeg", allowed ? Books.COVER : new byte[0])
              .send(exchange);
        });
    var reader = system.login("reader-cover");

    var task =
        reader.awaitTaskEnd(
            reader.lookUp(isbn).json().path("poll_url").asString(), Duration.ofSeconds(30));

    var coverUrl = task.path("result").path("cover_url").asString();
    assertThat(coverUrl).contains("/api/books/" + isbn + "/cover/?exp=");
    var cover = reader.get(URI.create(coverUrl).getPath());
    assertThat(cover.status()).isEqualTo(200);
    assertThat(cover.body().getBytes(StandardCharsets.ISO_8859_1)).hasSize(Books.COVER.length);
  }
}
