package tech.plumeintel.shuzhi.chat.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.stream.ActiveStreams;
import tech.plumeintel.shuzhi.chat.stream.Claim;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/** What operators watch: time to first token, tokens spent, streams running and how they end. */
@Component
class StreamMetrics {

  /** How a job ended, as the {@code outcome} tag of {@code shuzhi.chat.streams}. */
  enum Outcome {
    COMPLETED,
    CANCELLED,
    FAILED,
    /** Content security stopped the answer (#17). */
    WITHHELD,
    EXPIRED,
    DUPLICATE,
    CANCELLED_BEFORE_START;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;

  StreamMetrics(MeterRegistry registry, ActiveStreams active) {
    this.registry = registry;
    Gauge.builder("shuzhi.chat.streams.active", active, ActiveStreams::size)
        .description("Streams this worker is generating")
        .register(registry);
  }

  void firstToken(String model, Duration sincePickup) {
    Timer.builder("shuzhi.llm.first.token")
        .description("From picking the job up to the model's first token")
        .publishPercentileHistogram()
        .tag("model", model)
        .register(registry)
        .record(sincePickup);
  }

  void tokens(String model, TokenUsage usage) {
    count(model, "prompt", usage.promptTokens());
    count(model, "completion", usage.completionTokens());
    count(model, "reasoning", usage.reasoningTokens());
    count(model, "cache_hit", usage.cacheHitTokens());
    count(model, "cache_miss", usage.cacheMissTokens());
  }

  void ended(Outcome outcome) {
    Counter.builder("shuzhi.chat.streams")
        .description("Chat jobs by how they ended")
        .tag("outcome", outcome.tag())
        .register(registry)
        .increment();
  }

  /**
   * A fresh job's model request went out beside its claim, and the claim refused the job: the
   * request was aborted at once, but the upstream may have billed its prompt.
   */
  void withdrawn(Claim refusal) {
    Counter.builder("shuzhi.llm.requests.withdrawn")
        .description("Model requests sent beside a claim that refused the job, then aborted")
        .tag("claim", refusal.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  private void count(String model, String kind, int tokens) {
    Counter.builder("shuzhi.llm.tokens")
        .description("Tokens the model reported")
        .tag("kind", kind)
        .tag("model", model)
        .register(registry)
        .increment(tokens);
  }
}
