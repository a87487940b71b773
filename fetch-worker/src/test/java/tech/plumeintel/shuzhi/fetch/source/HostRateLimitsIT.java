package tech.plumeintel.shuzhi.fetch.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.util.unit.DataSize;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** Two workers (two limiters, two Redis connections) share one host's rate through real Redis. */
class HostRateLimitsIT {

  private static final HttpProperties HTTP =
      new HttpProperties(
          "test", 3, Duration.ofMillis(10), DataSize.ofMegabytes(1), 3, 2, Duration.ofSeconds(10));

  private final List<LettuceConnectionFactory> factories = new ArrayList<>();

  private HostRateLimits worker() {
    var url = URI.create(TestInfrastructure.shared().redisUrl());
    var factory =
        new LettuceConnectionFactory(
            new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
    factory.afterPropertiesSet();
    factory.start();
    factories.add(factory);
    var limits = new HostRateLimits(new StringRedisTemplate(factory), HTTP, Clock.systemUTC());
    return limits;
  }

  @AfterEach
  void close() {
    factories.forEach(LettuceConnectionFactory::destroy);
  }

  @Test
  void workersTogetherKeepToTheHostsRate() throws Exception {
    var host = URI.create("https://rate-" + System.nanoTime() + ".example/isbn/1.json");
    var granted = new ConcurrentLinkedQueue<Long>();
    var deadline = Instant.now().plusSeconds(30);
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var limits : List.of(worker(), worker())) {
        for (int i = 0; i < 3; i++) {
          threads.submit(
              () -> {
                for (int n = 0; n < 2; n++) {
                  limits.acquire(host, 5, deadline);
                  granted.add(System.nanoTime());
                }
                return null;
              });
        }
      }
    }

    var times = granted.stream().mapToLong(Long::longValue).sorted().toArray();
    assertThat(times).hasSize(12);
    // 5 a second: any 6 permits span a second, whichever worker asked. A permit is noted when its
    // thread wakes, which on a loaded machine can be late, so 150 ms are allowed for that.
    for (int i = 0; i + 5 < times.length; i++) {
      assertThat(Duration.ofNanos(times[i + 5] - times[i]))
          .as("permits %d to %d", i, i + 5)
          .isGreaterThan(Duration.ofMillis(850));
    }
    assertThat(Duration.ofNanos(times[11] - times[0])).isGreaterThan(Duration.ofMillis(2050));
  }

  @Test
  void aWaitThatWouldPassTheDeadlineIsRefused() {
    var limits = worker();
    var host = URI.create("https://slow-" + System.nanoTime() + ".example/");
    var deadline = Instant.now().plusSeconds(30);
    limits.acquire(host, 0.1, deadline);

    assertThatThrownBy(() -> limits.acquire(host, 0.1, Instant.now().plusMillis(500)))
        .isInstanceOf(UpstreamException.class);
  }
}
