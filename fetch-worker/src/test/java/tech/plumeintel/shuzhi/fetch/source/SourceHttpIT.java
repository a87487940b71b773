package tech.plumeintel.shuzhi.fetch.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.body;
import static tech.plumeintel.shuzhi.testsupport.SourceStandIn.redirect;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.unit.DataSize;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** The sources' HTTP client against a real server, with its rate limits in real Redis. */
class SourceHttpIT {

  private final SourceStandIn site = SourceStandIn.start();
  private final LettuceConnectionFactory redis = redis();
  private final HostRateLimits limits =
      new HostRateLimits(new StringRedisTemplate(redis), properties(3), Clock.systemUTC());
  private final SourceHttp http =
      new SourceHttp(
          new SourceHttp.Settings(Duration.ofSeconds(1), Duration.ofSeconds(2), 100),
          properties(3),
          limits,
          Clock.systemUTC());

  /** 64 KB at most, a 10 ms first backoff, as the user agent {@code Shuzhi/test}. */
  private static HttpProperties properties(int maxAttempts) {
    return new HttpProperties(
        "Shuzhi/test",
        maxAttempts,
        Duration.ofMillis(10),
        DataSize.ofKilobytes(64),
        3,
        100,
        Duration.ofSeconds(5));
  }

  private static LettuceConnectionFactory redis() {
    var url = URI.create(TestInfrastructure.shared().redisUrl());
    var factory =
        new LettuceConnectionFactory(
            new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
    factory.afterPropertiesSet();
    factory.start();
    return factory;
  }

  @AfterEach
  void close() {
    site.close();
    redis.destroy();
  }

  private HttpAnswer get(String path) {
    return http.get(URI.create(site.baseUrl() + path), "*/*", Instant.now().plusSeconds(10));
  }

  @Test
  void followsRedirectsWithinTheHostAndHandsBackOnesToElsewhere() {
    site.on("/isbn/1/", redirect("/subject/1/"))
        .on("/subject/1/", body(200, "text/html", "book".getBytes()))
        .on("/isbn/2/", redirect("https://sec.douban.com/b?r=x"));

    var followed = get("/isbn/1/");
    var handedBack = get("/isbn/2/");

    assertThat(followed.status()).isEqualTo(200);
    assertThat(followed.uri().getPath()).isEqualTo("/subject/1/");
    assertThat(followed.text()).isEqualTo("book");
    assertThat(handedBack.isRedirect()).isTrue();
    assertThat(handedBack.redirectTarget().getHost()).isEqualTo("sec.douban.com");
  }

  @Test
  void refusesAnAnswerOverTheSizeLimitWithoutRetrying() {
    site.on("/big", body(200, "text/html", new byte[100 * 1024]));

    assertThatThrownBy(() -> get("/big")).isInstanceOf(UpstreamException.class);
    assertThat(site.requests()).hasSize(1);
  }

  @Test
  void refusesAStreamedAnswerThatGrowsOverTheSizeLimit() {
    site.on(
        "/stream",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked: no length announced
          for (int i = 0; i < 100; i++) {
            exchange.getResponseBody().write(new byte[1024]);
          }
        });

    assertThatThrownBy(() -> get("/stream"))
        .isInstanceOf(UpstreamException.class)
        .hasMessageContaining("exceeds");
    assertThat(site.requests()).hasSize(1);
  }

  @Test
  void givesUpOnAnAnswerWhoseBodyOutlastsTheRequestTimeoutThoughEveryReadIsQuick() {
    var quick =
        new SourceHttp(
            new SourceHttp.Settings(Duration.ofSeconds(1), Duration.ofMillis(300), 100),
            properties(2),
            limits,
            Clock.systemUTC());
    site.on(
        "/trickle",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          try {
            for (int i = 0; i < 30; i++) {
              exchange.getResponseBody().write('x');
              exchange.getResponseBody().flush();
              Thread.sleep(100);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });

    long started = System.nanoTime();
    assertThatThrownBy(
            () ->
                quick.get(
                    URI.create(site.baseUrl() + "/trickle"), "*/*", Instant.now().plusSeconds(10)))
        .isInstanceOf(UpstreamException.class)
        .hasMessageContaining("no complete answer within 300 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(site.requests()).hasSize(2);
  }

  @Test
  void asksForACompressedAnswerAndDecodesIt() {
    var page = "<html>" + "豆瓣读书 ".repeat(2_000) + "</html>";
    var encodings = new ArrayList<String>();
    site.on(
        "/gzipped",
        exchange -> {
          encodings.add(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
          var zipped = gzip(page.getBytes(StandardCharsets.UTF_8));
          exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
          exchange.getResponseHeaders().add("Content-Encoding", "gzip");
          exchange.sendResponseHeaders(200, zipped.length);
          exchange.getResponseBody().write(zipped);
        });

    var answer = get("/gzipped");

    assertThat(encodings).singleElement().asString().contains("gzip");
    assertThat(answer.text()).isEqualTo(page);
  }

  @Test
  void refusesACompressedAnswerThatDecodesOverTheSizeLimit() {
    site.on(
        "/bomb",
        exchange -> {
          var zipped = gzip(new byte[1024 * 1024]); // about 1 KB on the wire, 1 MB decoded
          exchange.getResponseHeaders().add("Content-Encoding", "gzip");
          exchange.sendResponseHeaders(200, zipped.length);
          exchange.getResponseBody().write(zipped);
        });

    assertThatThrownBy(() -> get("/bomb"))
        .isInstanceOf(UpstreamException.class)
        .hasMessageContaining("exceeds");
    assertThat(site.requests()).hasSize(1);
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    }
    return out.toByteArray();
  }

  @Test
  void sendsItsUserAgentAndAnswersA404AtOnce() {
    var answer = get("/nothing");

    assertThat(answer.status()).isEqualTo(404);
    assertThat(site.requests())
        .singleElement()
        .satisfies(request -> assertThat(request.userAgent()).isEqualTo("Shuzhi/test"));
  }
}
