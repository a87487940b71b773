package tech.plumeintel.shuzhi.fetch.source;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

/**
 * GETs for one source: its own timeouts, its host's rate limit on every request (retries and
 * redirects included), retries with backoff on timeouts and 5xx (never on 4xx), and a size limit.
 * Redirects are followed only within the host asked; one to elsewhere is handed back, so that a
 * source can tell a ban page (Douban sends us to {@code sec.douban.com}) from a book.
 */
public final class SourceHttp {

  /**
   * Per-source settings.
   *
   * @param maxResponseSize overrides the shared limit when set
   */
  public record Settings(
      Duration connectTimeout,
      Duration requestTimeout,
      double requestsPerSecond,
      @Nullable DataSize maxResponseSize) {

    public Settings(Duration connectTimeout, Duration requestTimeout, double requestsPerSecond) {
      this(connectTimeout, requestTimeout, requestsPerSecond, null);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SourceHttp.class);
  // The JDK's limiting subscriber reports an oversized body with this message.
  private static final String TOO_LARGE = "body exceeds capacity";

  private final Settings settings;
  private final HttpProperties http;
  private final HostRateLimits limits;
  private final Clock clock;
  private final HttpClient client;
  private final DataSize maxResponseSize;

  public SourceHttp(Settings settings, HttpProperties http, HostRateLimits limits, Clock clock) {
    this.settings = settings;
    this.http = http;
    this.limits = limits;
    this.clock = clock;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.maxResponseSize =
        settings.maxResponseSize() != null ? settings.maxResponseSize() : http.maxResponseSize();
  }

  /**
   * GETs {@code uri}, following redirects within its host.
   *
   * @throws UpstreamException when no answer came: timeouts and connection failures after all
   *     retries, a body over the size limit, too many redirects, or the deadline reached
   */
  public HttpAnswer get(URI uri, String accept, Instant deadline) {
    var current = uri;
    for (int hop = 0; ; hop++) {
      var answer = getOnce(current, accept, deadline);
      var next = answer.redirectTarget();
      if (next == null || !sameHost(current, next)) {
        return answer;
      }
      if (hop >= http.maxRedirects()) {
        throw new UpstreamException("too many redirects at " + uri.getAuthority());
      }
      current = next;
    }
  }

  private HttpAnswer getOnce(URI uri, String accept, Instant deadline) {
    var backoff = http.retryBackoff();
    for (int attempt = 1; ; attempt++) {
      limits.acquire(uri, settings.requestsPerSecond(), deadline);
      try {
        var answer = send(uri, accept, deadline);
        if (answer.status() < 500 || attempt >= http.maxAttempts()) {
          return answer;
        }
        log.info("{} answered {}, attempt {}", uri.getAuthority(), answer.status(), attempt);
      } catch (IOException e) {
        if (attempt >= http.maxAttempts()
            || e.getMessage() != null && e.getMessage().startsWith(TOO_LARGE)) {
          throw new UpstreamException(uri.getAuthority() + ": " + describe(e), e);
        }
        log.info("{} failed ({}), attempt {}", uri.getAuthority(), describe(e), attempt);
      }
      if (clock.instant().plus(backoff).isAfter(deadline)) {
        throw new UpstreamException(uri.getAuthority() + ": no time left to retry");
      }
      pause(backoff);
      backoff = backoff.multipliedBy(2);
    }
  }

  private HttpAnswer send(URI uri, String accept, Instant deadline) throws IOException {
    var timeout = settings.requestTimeout();
    var left = Duration.between(clock.instant(), deadline);
    if (left.compareTo(timeout) < 0) {
      timeout = left;
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new HttpTimeoutException("deadline reached");
    }
    var request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("User-Agent", http.userAgent())
            .header("Accept", accept)
            .GET()
            .build();
    // The request timeout covers only the wait for headers; this bounds the body too.
    var exchange = client.sendAsync(request, limitedBody());
    try {
      var response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (response.body() == null) {
        throw new UpstreamException(
            uri.getAuthority() + ": answer over " + maxResponseSize.toKilobytes() + " KB");
      }
      return new HttpAnswer(response.statusCode(), uri, response.headers(), response.body());
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  private BodyHandler<byte[]> limitedBody() {
    long max = maxResponseSize.toBytes();
    return info -> {
      long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (declared > max) {
        return BodySubscribers.replacing(null); // refused unread, see send()
      }
      return BodySubscribers.limiting(BodySubscribers.ofByteArray(), max);
    };
  }

  // The same host, or its https version: sites move a plain-http request to https first.
  private static boolean sameHost(URI from, URI to) {
    if (Objects.equals(from.getScheme(), to.getScheme())) {
      return Objects.equals(from.getAuthority(), to.getAuthority());
    }
    return "https".equals(to.getScheme()) && Objects.equals(from.getHost(), to.getHost());
  }

  private static String describe(IOException e) {
    return e.getMessage() == null
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " " + e.getMessage();
  }

  private static void pause(Duration backoff) {
    try {
      Thread.sleep(backoff);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException("interrupted while waiting to retry", e);
    }
  }
}
