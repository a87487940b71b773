package tech.plumeintel.shuzhi.fetch.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.unit.DataSize;

/**
 * GETs for one source: its own timeouts, its host's rate limit on every request (retries and
 * redirects included), retries with backoff on timeouts and 5xx (never on 4xx), and a size limit.
 * Redirects are followed only within the host asked; one to elsewhere is handed back, so that a
 * source can tell a ban page (Douban sends us to {@code sec.douban.com}) from a book.
 *
 * <p>On Apache HttpClient's classic client, as the model and WeChat calls are, rather than the
 * JDK's, which hands each exchange between its selector thread and an executor: a Douban page (128
 * KB) from a local JDK HTTP server took 5.0–8.9 ms p50 through the JDK's client against 3.7–4.9 ms
 * through this one (a throwaway program, one run of 4 rounds × 30 GETs 200 ms apart, default
 * settings for both). A cache miss asks for a page and a cover on its way.
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
  private static final String TOO_LARGE = "body exceeds ";

  /**
   * Ends exchanges that outlast their timeout: the client's own bounds each read, not the whole.
   */
  private static final ScheduledThreadPoolExecutor TIMEOUTS = timeouts();

  private final Settings settings;
  private final HttpProperties http;
  private final HostRateLimits limits;
  private final Clock clock;
  private final CloseableHttpClient client;
  private final DataSize maxResponseSize;

  public SourceHttp(Settings settings, HttpProperties http, HostRateLimits limits, Clock clock) {
    this.settings = settings;
    this.http = http;
    this.limits = limits;
    this.clock = clock;
    this.client =
        HttpClients.custom()
            .setConnectionManager(
                PoolingHttpClientConnectionManagerBuilder.create()
                    .setDefaultConnectionConfig(
                        ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                            // A kept-alive connection the site closed meanwhile is found before
                            // a request is sent on it, not by a failed attempt.
                            .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                            .build())
                    .build())
            // Retries and redirects are this class's: rate-limited, and within the host only.
            .disableAutomaticRetries()
            .disableRedirectHandling()
            // Compressed answers are asked for and decoded (two Douban subject pages gzipped: 23
            // and 31 % of their size); the size limit holds for the decoded body, so a bomb is
            // refused.
            .disableCookieManagement()
            .disableAuthCaching()
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
    var request = new HttpGet(uri);
    request.setConfig(
        RequestConfig.custom()
            .setConnectionRequestTimeout(Timeout.of(timeout))
            .setResponseTimeout(Timeout.of(timeout))
            .build());
    request.setHeader("User-Agent", http.userAgent());
    request.setHeader("Accept", accept);
    // The response timeout bounds each read; this bounds the whole answer, body included. Marked
    // before the cancel: the cancel closes the socket, and the reader can see it closed before the
    // scheduled task has returned (then isDone() would still be false).
    var expired = new AtomicBoolean();
    var expiry =
        TIMEOUTS.schedule(
            () -> {
              expired.set(true);
              request.cancel();
            },
            timeout.toNanos(),
            TimeUnit.NANOSECONDS);
    try (var response = client.executeOpen(null, request, null)) {
      byte[] body;
      try {
        body = body(response);
      } catch (IOException e) {
        request.cancel(); // closing would read the rest of an oversized or broken body
        throw e;
      }
      if (body == null) {
        request.cancel(); // unread: the connection goes, not back to the pool half-read
        throw new UpstreamException(
            uri.getAuthority() + ": answer over " + maxResponseSize.toKilobytes() + " KB");
      }
      return new HttpAnswer(response.getCode(), uri, headers(response), body);
    } catch (IOException e) {
      if (expired.get()) {
        throw new HttpTimeoutException("no complete answer within " + timeout.toMillis() + " ms");
      }
      throw e;
    } finally {
      expiry.cancel(false);
    }
  }

  /**
   * The whole body, decoded, or null when its declared length is over the limit (a compressed
   * answer declares none once decoded: its limit is checked as it is read).
   */
  private byte @Nullable [] body(ClassicHttpResponse response) throws IOException {
    var entity = response.getEntity();
    if (entity == null) {
      return new byte[0];
    }
    long max = maxResponseSize.toBytes();
    if (entity.getContentLength() > max) {
      return null;
    }
    try (InputStream in = entity.getContent()) {
      var bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
      if (bytes.length > max) {
        throw new IOException(TOO_LARGE + max + " bytes");
      }
      return bytes;
    }
  }

  private static HttpHeaders headers(ClassicHttpResponse response) {
    var headers = new TreeMap<String, List<String>>(String.CASE_INSENSITIVE_ORDER);
    for (var header : response.getHeaders()) {
      headers.computeIfAbsent(header.getName(), name -> new ArrayList<>()).add(header.getValue());
    }
    return HttpHeaders.of(headers, (name, value) -> true);
  }

  private static ScheduledThreadPoolExecutor timeouts() {
    var executor =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("source-http-timeouts").factory());
    executor.setRemoveOnCancelPolicy(true);
    return executor;
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
