package tech.plumeintel.shuzhi.fetch.source.douban;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.jsoup.Jsoup;
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

/**
 * Douban Books, asked first: it knows Chinese books best and has the richest pages. {@code
 * /isbn/{isbn}/} redirects to the book's subject page, or answers 404.
 */
@Component
@Order(1)
class DoubanSource implements BookSource {

  private final DoubanProperties properties;
  private final SourceHttp http;
  private final DoubanPageParser parser = new DoubanPageParser();

  DoubanSource(
      DoubanProperties properties, HttpProperties http, HostRateLimits limits, Clock clock) {
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
    return "douban";
  }

  @Override
  public Set<BookField> provides() {
    return EnumSet.allOf(BookField.class);
  }

  @Override
  public SourceOutcome lookUp(Isbn isbn, Instant deadline) {
    var base = properties.baseUrl().toString().replaceAll("/+$", "");
    HttpAnswer answer;
    try {
      answer = http.get(URI.create(base + "/isbn/" + isbn.value() + "/"), "text/html", deadline);
    } catch (UpstreamException e) {
      return new SourceOutcome.Failed(e.getMessage());
    }
    return switch (answer.status()) {
      case 200 -> read(answer, isbn);
      case 404 -> new SourceOutcome.Missing();
      case 403, 418, 429 -> new SourceOutcome.Blocked("HTTP " + answer.status());
      default ->
          answer.isRedirect()
              ? redirectedAway(answer.redirectTarget())
              : new SourceOutcome.Failed("HTTP " + answer.status());
    };
  }

  private SourceOutcome read(HttpAnswer answer, Isbn isbn) {
    var page = Jsoup.parse(answer.text(), answer.uri().toString());
    if (parser.isRefusal(page)) {
      return new SourceOutcome.Blocked("refusal page");
    }
    if (page.getElementById("info") == null) {
      return new SourceOutcome.Failed("not a subject page");
    }
    var fields = parser.parse(page);
    // A stub subject, created by someone who scanned the book, is titled with the bare ISBN.
    var title = fields.text(BookField.TITLE);
    if (title == null || title.replace("-", "").equals(isbn.value())) {
      return new SourceOutcome.Missing();
    }
    return new SourceOutcome.Found(fields);
  }

  // Douban sends suspected bots to sec.douban.com, or to a login or "sorry" page on another host.
  private static SourceOutcome redirectedAway(URI target) {
    if (target == null) {
      return new SourceOutcome.Failed("redirect without a usable target");
    }
    var host = target.getHost() == null ? "" : target.getHost();
    var path = target.getPath() == null ? "" : target.getPath();
    if (host.equals("sec.douban.com")
        || host.startsWith("accounts.")
        || path.contains("login")
        || path.contains("sorry")) {
      return new SourceOutcome.Blocked("redirected to " + host);
    }
    return new SourceOutcome.Failed("redirected to " + host);
  }
}
