package tech.plumeintel.shuzhi.chat.llm;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.llm.LlmProperties.Continuation;

/**
 * One OpenAI-compatible host the worker may ask: where, which model, its keys taken in turn, its
 * circuit breaker. A key the host refused ({@code 401}) or whose balance ran out ({@code 402}) is
 * left out until the worker restarts with new configuration; a host without a usable key is
 * skipped.
 */
final class Upstream {

  /** One key of the host; {@link #index} names it in logs and metrics, never its text. */
  static final class Key {
    final int index;
    final String secret;
    volatile @Nullable String disabledBecause;

    Key(int index, String secret) {
      this.index = index;
      this.secret = secret;
    }

    boolean usable() {
      return disabledBecause == null;
    }
  }

  final String name;
  final URI chat;
  final URI prefixChat;
  final String model;
  final @Nullable Boolean thinking;
  final Continuation continuation;
  final List<Key> keys;
  final CircuitBreaker breaker;
  private final AtomicInteger turn = new AtomicInteger();

  Upstream(
      String name,
      URI baseUrl,
      String model,
      @Nullable Boolean thinking,
      Continuation continuation,
      List<String> keys,
      CircuitBreaker breaker) {
    this.name = name;
    var base = baseUrl.toString();
    var root = base.endsWith("/") ? base : base + "/";
    this.chat = URI.create(root + "chat/completions");
    // DeepSeek serves its beta features under {base}/beta; a base ending in /v1 keeps it before.
    this.prefixChat = URI.create(root + "beta/chat/completions");
    this.model = model;
    this.thinking = thinking;
    this.continuation = continuation;
    this.keys = IntStream.range(0, keys.size()).mapToObj(i -> new Key(i, keys.get(i))).toList();
    this.breaker = breaker;
  }

  boolean usable() {
    return keys.stream().anyMatch(Key::usable);
  }

  /** The next usable key in turn, spreading requests (and rate limits) over the keys. */
  Optional<Key> nextKey() {
    int size = keys.size();
    int start = Math.floorMod(turn.getAndIncrement(), size);
    for (int i = 0; i < size; i++) {
      var key = keys.get((start + i) % size);
      if (key.usable()) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return name;
  }
}
