package tech.plumeintel.shuzhi.chat.llm;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstreams in the order they are tried: {@code primary} ({@code SHUZHI_LLM_*}), then {@code
 * fallback-0}, {@code fallback-1}, … Each has a Resilience4j circuit breaker of its own, kept per
 * worker rather than shared through Redis: a worker sees an upstream fail on its own traffic within
 * a few requests (the breaker opens after {@code minimum-attempts}), a shared breaker would put a
 * Redis round trip before every model request and needs a distributed state machine Resilience4j
 * does not have, and the cost of not sharing is bounded: each worker pays its own few failed
 * attempts (a 503 costs milliseconds, a hang one first-token timeout) before it skips the upstream.
 */
final class Upstreams {

  private static final Logger log = LoggerFactory.getLogger(Upstreams.class);

  private final List<Upstream> all;
  private final CircuitBreakerRegistry breakers;

  Upstreams(LlmProperties properties) {
    var breaker = properties.breaker();
    this.breakers =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(breaker.window())
                .minimumNumberOfCalls(breaker.minimumAttempts())
                .failureRateThreshold(breaker.failureRate())
                .waitDurationInOpenState(breaker.coolDown())
                .permittedNumberOfCallsInHalfOpenState(1)
                // Failures are recorded by hand (onError), not by wrapping a call.
                .recordExceptions(Throwable.class)
                .build());
    var upstreams = new ArrayList<Upstream>();
    upstreams.add(
        new Upstream(
            "primary",
            properties.baseUrl(),
            properties.model(),
            properties.thinking(),
            properties.continuation(),
            LlmProperties.keys(properties.apiKey(), properties.apiKeys()),
            breakers.circuitBreaker("primary")));
    for (int i = 0; i < properties.fallbacks().size(); i++) {
      var fallback = properties.fallbacks().get(i);
      var name = "fallback-" + i;
      var keys = LlmProperties.keys(fallback.apiKey(), fallback.apiKeys());
      if (keys.isEmpty()) {
        throw new IllegalStateException(
            "shuzhi.llm.fallbacks[" + i + "] (" + fallback.baseUrl() + ") has no api-key");
      }
      upstreams.add(
          new Upstream(
              name,
              fallback.baseUrl(),
              fallback.model() == null || fallback.model().isBlank()
                  ? properties.model()
                  : fallback.model(),
              fallback.thinking() == null ? properties.thinking() : fallback.thinking(),
              fallback.continuation() == null
                  ? LlmProperties.Continuation.PREFIX
                  : fallback.continuation(),
              keys,
              breakers.circuitBreaker(name)));
    }
    this.all = List.copyOf(upstreams);
    for (var upstream : all) {
      log.info(
          "LLM upstream {}: model {} at {}, {} key(s), continuation {}",
          upstream.name,
          upstream.model,
          upstream.chat.getHost(),
          upstream.keys.size(),
          upstream.continuation);
    }
  }

  List<Upstream> all() {
    return all;
  }

  CircuitBreakerRegistry breakers() {
    return breakers;
  }

  /** An upstream to ask, and whether its breaker gave the permission (which must be settled). */
  record Pick(Upstream upstream, boolean permitted) {}

  /**
   * The first upstream from {@code from} on (wrapping around) that has a usable key and whose
   * breaker lets a request through, with that permission taken; an open breaker is passed over
   * without waiting. When every breaker is open, the first usable upstream is asked all the same: a
   * breaker is there to prefer a healthy upstream, and with none to prefer, failing every chat at
   * once for a cool-down would turn a host answering half its requests into one answering none.
   * Null when no upstream has a usable key.
   */
  @Nullable Pick pick(int from) {
    for (int i = 0; i < all.size(); i++) {
      var upstream = all.get(Math.floorMod(from + i, all.size()));
      if (upstream.usable() && upstream.breaker.tryAcquirePermission()) {
        return new Pick(upstream, true);
      }
    }
    for (int i = 0; i < all.size(); i++) {
      var upstream = all.get(Math.floorMod(from + i, all.size()));
      if (upstream.usable()) {
        return new Pick(upstream, false);
      }
    }
    return null;
  }

  int indexOf(Upstream upstream) {
    return all.indexOf(upstream);
  }
}
