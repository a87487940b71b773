package tech.plumeintel.shuzhi.fetch.source.google;

import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookSource;
import tech.plumeintel.shuzhi.fetch.source.HostRateLimits;
import tech.plumeintel.shuzhi.fetch.source.HttpAnswer;
import tech.plumeintel.shuzhi.fetch.source.HttpProperties;
import tech.plumeintel.shuzhi.fetch.source.SourceHttp;
import tech.plumeintel.shuzhi.fetch.source.SourceOutcome;
import tech.plumeintel.shuzhi.fetch.source.UpstreamException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Google Books, asked last. Its ratings are out of 5 and Douban's out of 10, so it gives none. */
@Component
@Order(3)
class GoogleBooksSource implements BookSource {

  private static final Set<BookField> PROVIDES =
      EnumSet.of(TITLE, SUBTITLE, AUTHOR, PUBLISHER, PUB_DATE, PAGES, INTRODUCTION, COVER);

  private final GoogleBooksProperties properties;
  private final SourceHttp http;
  private final JsonMapper json = JsonMapper.builder().build();

  GoogleBooksSource(
      GoogleBooksProperties properties, HttpProperties http, HostRateLimits limits, Clock clock) {
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
    return "google";
  }

  @Override
  public Set<BookField> provides() {
    return PROVIDES;
  }

  @Override
  public SourceOutcome lookUp(Isbn isbn, Instant deadline) {
    var uri =
        properties.baseUrl().toString().replaceAll("/+$", "")
            + "/books/v1/volumes?q=isbn:"
            + isbn.value();
    if (properties.apiKey() != null && !properties.apiKey().isBlank()) {
      uri += "&key=" + URLEncoder.encode(properties.apiKey(), StandardCharsets.UTF_8);
    }
    HttpAnswer answer;
    try {
      answer = http.get(URI.create(uri), "application/json", deadline);
    } catch (UpstreamException e) {
      return new SourceOutcome.Failed(e.getMessage());
    }
    return switch (answer.status()) {
      case 200 -> read(answer, isbn);
      case 404 -> new SourceOutcome.Missing();
      case 403, 429 -> new SourceOutcome.Blocked("HTTP " + answer.status());
      default -> new SourceOutcome.Failed("HTTP " + answer.status());
    };
  }

  private SourceOutcome read(HttpAnswer answer, Isbn isbn) {
    try {
      return GoogleBooksVolumes.read(json.readTree(answer.body()), isbn)
          .filter(fields -> fields.has(TITLE))
          .<SourceOutcome>map(SourceOutcome.Found::new)
          .orElseGet(SourceOutcome.Missing::new);
    } catch (JacksonException e) {
      return new SourceOutcome.Failed("unreadable answer");
    }
  }
}
