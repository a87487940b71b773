package tech.plumeintel.shuzhi.chat.llm;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/**
 * What operators watch per upstream: attempts and how they ended, failovers, continuations, usable
 * keys, time to first token, tokens (with DeepSeek's cache hits and misses), and the breakers'
 * state ({@code resilience4j.circuitbreaker.state}, tagged by upstream name).
 */
final class UpstreamMetrics {

  private final MeterRegistry registry;

  UpstreamMetrics(MeterRegistry registry, Upstreams upstreams) {
    this.registry = registry;
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(upstreams.breakers()).bindTo(registry);
    for (var upstream : upstreams.all()) {
      Gauge.builder(
              "shuzhi.llm.upstream.keys.usable",
              upstream,
              u -> u.keys.stream().filter(Upstream.Key::usable).count())
          .description("Keys of the upstream not disabled by a 401 or 402")
          .tag("upstream", upstream.name)
          .register(registry);
    }
  }

  /** One attempt ended: {@code answered} (its first token came) or a failure reason. */
  void attempt(Upstream upstream, String outcome) {
    Counter.builder("shuzhi.llm.upstream.requests")
        .description("Model requests by upstream and how they went")
        .tag("upstream", upstream.name)
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  void failover(Upstream from, Upstream to) {
    Counter.builder("shuzhi.llm.upstream.failovers")
        .description("Requests moved to another upstream before the first token")
        .tag("from", from.name)
        .tag("to", to.name)
        .register(registry)
        .increment();
  }

  void continuation(Upstream upstream, String mode) {
    Counter.builder("shuzhi.llm.upstream.continuations")
        .description("Answers continued after their first token, by the upstream that continued")
        .tag("upstream", upstream.name)
        .tag("mode", mode)
        .register(registry)
        .increment();
  }

  void keyDisabled(Upstream upstream, int status) {
    Counter.builder("shuzhi.llm.upstream.keys.disabled")
        .description("Keys taken out of use after a 401 (key) or 402 (balance)")
        .tag("upstream", upstream.name)
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  void firstToken(Upstream upstream, Duration sinceSent) {
    Timer.builder("shuzhi.llm.upstream.first.token")
        .description("From sending a request to the upstream to its first token")
        .publishPercentileHistogram()
        .tag("upstream", upstream.name)
        .register(registry)
        .record(sinceSent);
  }

  void tokens(Upstream upstream, TokenUsage usage) {
    count(upstream, "prompt", usage.promptTokens());
    count(upstream, "completion", usage.completionTokens());
    count(upstream, "cache_hit", usage.cacheHitTokens());
    count(upstream, "cache_miss", usage.cacheMissTokens());
  }

  private void count(Upstream upstream, String kind, int tokens) {
    Counter.builder("shuzhi.llm.upstream.tokens")
        .description("Tokens each upstream reported, with prompt-cache hits and misses")
        .tag("upstream", upstream.name)
        .tag("kind", kind)
        .register(registry)
        .increment(tokens);
  }
}
