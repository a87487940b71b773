package tech.plumeintel.shuzhi.fetch.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookFields;
import tech.plumeintel.shuzhi.fetch.source.BookSource;
import tech.plumeintel.shuzhi.fetch.source.SourceOutcome;

class SourceChainTest {

  private static final Isbn ISBN = Isbn.parse("9787536025080");
  private static final Instant DEADLINE = Instant.parse("2030-01-01T00:00:00Z");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<String> asked = new ArrayList<>();

  private BookSource source(String name, SourceOutcome outcome) {
    return new BookSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Set<BookField> provides() {
        return EnumSet.of(TITLE, AUTHOR, PUBLISHER, PUB_DATE, PAGES, INTRODUCTION, COVER);
      }

      @Override
      public SourceOutcome lookUp(Isbn isbn, Instant deadline) {
        asked.add(name);
        return outcome;
      }
    };
  }

  private static SourceOutcome found(BookFields.Builder fields) {
    return new SourceOutcome.Found(fields.build());
  }

  private LookupResult lookUp(BookSource... sources) {
    return new SourceChain(List.of(sources), meters).lookUp(ISBN, DEADLINE);
  }

  @Test
  void theFirstSourceWithAFieldWinsItAndTheBookRecordsWhereEachFieldCameFrom() {
    var result =
        lookUp(
            source("douban", found(BookFields.builder().put(TITLE, "黄金时代").put(RATING, 8.9))),
            source(
                "openlibrary",
                found(
                    BookFields.builder()
                        .put(TITLE, "The Golden Age")
                        .put(AUTHOR, "Wang Xiaobo")
                        .put(PAGES, 375))),
            source("google", found(BookFields.builder().put(AUTHOR, "王小波").put(PUBLISHER, "花城"))));

    assertThat(result)
        .isInstanceOfSatisfying(
            LookupResult.Found.class,
            found -> {
              assertThat(found.fields().text(TITLE)).isEqualTo("黄金时代");
              assertThat(found.fields().text(AUTHOR)).isEqualTo("Wang Xiaobo");
              assertThat(found.fields().text(PUBLISHER)).isEqualTo("花城");
              assertThat(found.origins())
                  .containsEntry(TITLE, "douban")
                  .containsEntry(RATING, "douban")
                  .containsEntry(AUTHOR, "openlibrary")
                  .containsEntry(PAGES, "openlibrary")
                  .containsEntry(PUBLISHER, "google")
                  .hasSize(5);
            });
  }

  @Test
  void aSourceThatCouldAddNoCoreFieldIsNotAsked() {
    var complete =
        BookFields.builder()
            .put(TITLE, "黄金时代")
            .put(AUTHOR, "王小波")
            .put(PUBLISHER, "花城出版社")
            .put(PUB_DATE, "1999-3")
            .put(PAGES, 375)
            .put(INTRODUCTION, "……")
            .put(COVER, "https://img9.doubanio.com/s.jpg");

    var result =
        lookUp(
            source("douban", found(complete)), source("openlibrary", new SourceOutcome.Missing()));

    assertThat(result).isInstanceOf(LookupResult.Found.class);
    assertThat(asked).containsExactly("douban");
  }

  @Test
  void aBlockedOrFailingSourceIsPassedOverForTheNext() {
    var result =
        lookUp(
            source("douban", new SourceOutcome.Blocked("HTTP 403")),
            source("openlibrary", new SourceOutcome.Failed("timeout")),
            source("google", found(BookFields.builder().put(TITLE, "Space"))));

    assertThat(result)
        .isInstanceOfSatisfying(
            LookupResult.Found.class,
            found -> assertThat(found.origins()).containsEntry(TITLE, "google"));
    assertThat(
            meters
                .get("shuzhi.books.fetches")
                .tags("source", "douban", "outcome", "blocked")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            meters
                .get("shuzhi.books.fetches")
                .tags("source", "openlibrary", "outcome", "error")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(meters.get("shuzhi.books.fetch.duration").tags("source", "google").timer().count())
        .isEqualTo(1);
  }

  @Test
  void aBookEverySourceSaysIsMissingIsMissing() {
    assertThat(
            lookUp(
                source("douban", new SourceOutcome.Missing()),
                source("openlibrary", new SourceOutcome.Missing())))
        .isInstanceOf(LookupResult.Missing.class);
  }

  @Test
  void aBookNoSourceFoundWhileOneCouldNotSayIsUnavailable() {
    var result =
        lookUp(
            source("douban", new SourceOutcome.Blocked("HTTP 418")),
            source("openlibrary", new SourceOutcome.Missing()),
            source("google", new SourceOutcome.Failed("HTTP 503")));

    assertThat(result)
        .isEqualTo(
            new LookupResult.Unavailable("douban: blocked, openlibrary: missing, google: error"));
  }
}
