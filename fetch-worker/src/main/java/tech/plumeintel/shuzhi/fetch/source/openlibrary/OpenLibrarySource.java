package tech.plumeintel.shuzhi.fetch.source.openlibrary;

import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookFields;
import tech.plumeintel.shuzhi.fetch.source.BookSource;
import tech.plumeintel.shuzhi.fetch.source.HostRateLimits;
import tech.plumeintel.shuzhi.fetch.source.HttpAnswer;
import tech.plumeintel.shuzhi.fetch.source.HttpProperties;
import tech.plumeintel.shuzhi.fetch.source.SourceHttp;
import tech.plumeintel.shuzhi.fetch.source.SourceOutcome;
import tech.plumeintel.shuzhi.fetch.source.UpstreamException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Open Library, asked second. {@code /isbn/{isbn}.json} redirects to the edition; its authors and
 * its work (which holds the description most editions lack) are further records.
 */
@Component
@Order(2)
class OpenLibrarySource implements BookSource {

  private static final Logger log = LoggerFactory.getLogger(OpenLibrarySource.class);
  private static final Set<BookField> PROVIDES =
      EnumSet.of(TITLE, SUBTITLE, AUTHOR, PUBLISHER, PUB_DATE, PAGES, INTRODUCTION, COVER);

  private final OpenLibraryProperties properties;
  private final SourceHttp http;
  private final JsonMapper json = JsonMapper.builder().build();

  OpenLibrarySource(
      OpenLibraryProperties properties, HttpProperties http, HostRateLimits limits, Clock clock) {
    this.properties = properties;
    this.http =
        new SourceHttp(
            new SourceHttp.Settings(
                properties.connectTimeout(),
                properties.requestTimeout(),
                properties.requestsPerSecond()),
            http,
            limits,
            clock);
  }

  @Override
  public String name() {
    return "openlibrary";
  }

  @Override
  public Set<BookField> provides() {
    return PROVIDES;
  }

  @Override
  public SourceOutcome lookUp(Isbn isbn, Instant deadline) {
    HttpAnswer answer;
    try {
      answer = http.get(api("/isbn/" + isbn.value() + ".json"), "application/json", deadline);
    } catch (UpstreamException e) {
      return new SourceOutcome.Failed(e.getMessage());
    }
    return switch (answer.status()) {
      case 200 -> read(answer, deadline);
      case 404 -> new SourceOutcome.Missing();
      case 403, 418, 429 -> new SourceOutcome.Blocked("HTTP " + answer.status());
      default -> new SourceOutcome.Failed("HTTP " + answer.status());
    };
  }

  private SourceOutcome read(HttpAnswer answer, Instant deadline) {
    OpenLibraryRecords.Edition edition;
    try {
      edition = OpenLibraryRecords.edition(json.readTree(answer.body()));
    } catch (JacksonException e) {
      return new SourceOutcome.Failed("unreadable edition");
    }
    if (edition.title() == null) {
      return new SourceOutcome.Missing();
    }
    var fields =
        BookFields.builder()
            .put(TITLE, edition.title())
            .put(SUBTITLE, edition.subtitle())
            .put(PUBLISHER, edition.publishers())
            .put(PUB_DATE, edition.publishDate())
            .put(PAGES, edition.pages())
            .put(INTRODUCTION, edition.description())
            .put(AUTHOR, authors(edition, deadline));
    var coverId = edition.coverId();
    var work = edition.workKey() == null ? null : record(edition.workKey(), deadline);
    if (work != null) {
      fields.putIfAbsent(INTRODUCTION, OpenLibraryRecords.description(work.path("description")));
      coverId = coverId != null ? coverId : OpenLibraryRecords.coverId(work);
    }
    if (coverId != null) {
      var covers = properties.coversBaseUrl().toString().replaceAll("/+$", "");
      fields.put(COVER, covers + "/b/id/" + coverId + "-L.jpg");
    }
    return new SourceOutcome.Found(fields.build());
  }

  private @Nullable String authors(OpenLibraryRecords.Edition edition, Instant deadline) {
    var names = new ArrayList<String>();
    for (var key : edition.authorKeys()) {
      var author = record(key, deadline);
      var name = author == null ? null : OpenLibraryRecords.authorName(author);
      if (name != null) {
        names.add(name);
      }
    }
    return names.isEmpty() ? null : String.join(" / ", names);
  }

  /** A linked record; the book is still worth having without it, so failures only lose it. */
  private @Nullable JsonNode record(String key, Instant deadline) {
    if (!key.matches("/(works|authors)/OL\\d+[WA]")) {
      return null;
    }
    try {
      var answer = http.get(api(key + ".json"), "application/json", deadline);
      if (answer.status() == 200) {
        return json.readTree(answer.body());
      }
      log.info("Open Library {} answered {}", key, answer.status());
    } catch (UpstreamException | JacksonException e) {
      log.info("Open Library {} unavailable: {}", key, e.getMessage());
    }
    return null;
  }

  private URI api(String path) {
    return URI.create(properties.baseUrl().toString().replaceAll("/+$", "") + path);
  }
}
