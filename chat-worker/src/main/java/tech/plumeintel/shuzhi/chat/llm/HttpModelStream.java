package tech.plumeintel.shuzhi.chat.llm;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.chat.llm.LlmProperties.Continuation;
import tech.plumeintel.shuzhi.chat.llm.ModelException.Kind;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;

/**
 * One answer, over as many HTTP attempts as it takes. Reads the bytes an {@link HttpAttempt}
 * queues, decodes them into events, and enforces the first-token, idle and total timeouts by how
 * long it waits on that queue, so no timer thread per stream is needed.
 *
 * <p>Before the answer's first token, a connect error, a 429, a 5xx, a refused key or a first-token
 * timeout moves the request to the next upstream whose breaker is closed (failover), at most {@code
 * upstreams + max-retries} attempts. After it, a broken connection, an idle timeout or an error in
 * the stream continues the answer (at most {@code max-continuations} times): with DeepSeek's chat
 * prefix completion from exactly the text yielded so far, so the reader sees one answer; or, when
 * the break came during thinking or the upstream restarts, with a {@link ModelEvent.Reset} and a
 * whole new answer. The total timeout bounds it all.
 */
final class HttpModelStream implements ModelStream {

  private static final Logger log = LoggerFactory.getLogger(HttpModelStream.class);
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final OpenAiCompatibleClient client;
  private final LlmProperties properties;
  private final Upstreams upstreams;
  private final UpstreamMetrics metrics;
  private final ChunkParser parser;
  private final Prompt prompt;
  private final String user;
  private final long started = System.nanoTime();
  private final ArrayDeque<ModelEvent> pending = new ArrayDeque<>();
  // What the reader has been yielded of the current answer: a continuation starts from it.
  private final StringBuilder delivered = new StringBuilder();
  private boolean thinkingDelivered;
  private final List<String> continuations = new ArrayList<>();
  private final Set<Upstream> asked = new HashSet<>();
  private volatile @Nullable Attempt attempt;
  private volatile boolean closed;
  private @Nullable ModelException failed;
  private boolean ended;
  private int attempts;
  private int revisits;

  /** One HTTP exchange with one upstream and its state. */
  private final class Attempt {
    final Upstream upstream;
    final boolean permitted;
    final Upstream.Key key;
    final HttpAttempt http;
    final boolean continuing;
    final long sentAt = System.nanoTime();
    final SseDecoder sse = new SseDecoder();
    long lastChunk = sentAt;
    boolean tokenSeen;
    boolean finishSeen;
    boolean settled;
    final AtomicBoolean accounted = new AtomicBoolean();
    String model;

    Attempt(Upstreams.Pick pick, Upstream.Key key, @Nullable String prefix) {
      this.upstream = pick.upstream();
      this.permitted = pick.permitted();
      this.key = key;
      this.continuing = prefix != null;
      this.model = upstream.model;
      this.http = client.send(upstream, key, prompt, user, prefix);
    }

    /**
     * The breaker hears of attempts it let through, once each (one asked past an open breaker is
     * not its): from the reader, or from {@link #close()} on any thread when the attempt is given
     * up before it settled; a half-open breaker waits for its one permitted call's outcome.
     */
    private boolean account() {
      return permitted && accounted.compareAndSet(false, true);
    }

    void succeeded(Duration elapsed) {
      if (account()) {
        upstream.breaker.onSuccess(elapsed.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    void failed(long nanos, ModelException failure) {
      if (account()) {
        upstream.breaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
      }
    }

    /** Broke off after its first token, which the breaker already heard: that counts too. */
    void brokeOff(ModelException failure) {
      if (permitted) {
        upstream.breaker.onError(0, TimeUnit.NANOSECONDS, failure);
      }
    }

    void released() {
      if (account()) {
        upstream.breaker.releasePermission();
      }
    }
  }

  HttpModelStream(OpenAiCompatibleClient client, Prompt prompt, String user, Delivered before) {
    this.client = client;
    this.properties = client.properties();
    this.upstreams = client.upstreams();
    this.metrics = client.metrics();
    this.parser = new ChunkParser(client.json());
    this.prompt = prompt;
    this.user = user;
    delivered.append(before.content());
    thinkingDelivered = before.thinking();
    try {
      if (before.anything()) {
        continueAnswer(-1);
      } else {
        start(0, null);
      }
    } catch (ModelException e) {
      failed = e;
    }
  }

  @Override
  public String model() {
    var current = attempt;
    return current == null ? upstreams.all().getFirst().model : current.model;
  }

  @Override
  public String upstream() {
    var current = attempt;
    return current == null ? upstreams.all().getFirst().name : current.upstream.name;
  }

  @Override
  public List<String> continuations() {
    return List.copyOf(continuations);
  }

  @Override
  public ModelEvent next(Duration wait) throws ModelException {
    long waitUntil = System.nanoTime() + wait.toNanos();
    while (true) {
      if (!pending.isEmpty()) {
        return handOut(pending.poll());
      }
      if (ended) {
        return ModelEvent.END;
      }
      var current = attempt;
      if (closed && (current == null || !current.finishSeen)) {
        throw new ModelException(Kind.CLOSED, "stream closed");
      }
      if (failed != null) {
        var failure = failed;
        failed = null;
        recover(failure);
        continue;
      }
      if (current == null) {
        throw new ModelException(Kind.UNAVAILABLE, "no model upstream available");
      }
      HttpAttempt.Signal signal;
      try {
        signal = take(current, waitUntil);
      } catch (ModelException timeout) {
        failed = timeout;
        continue;
      }
      if (signal == null) {
        return ModelEvent.SILENCE;
      }
      switch (signal) {
        case HttpAttempt.Signal.Bytes bytes -> feed(current, bytes);
        case HttpAttempt.Signal.Ended ignored -> {
          try {
            current.sse.finish((data, length) -> read(current, data, length));
          } catch (ModelException e) {
            failed = e;
          }
          if (failed == null && !ended) {
            if (current.finishSeen) {
              ended = true;
            } else {
              failed =
                  new ModelException(Kind.UNAVAILABLE, "stream ended before the model finished");
            }
          }
        }
        case HttpAttempt.Signal.Broken broken -> failed = broken.failure();
      }
    }
  }

  /** Keeps what the reader is handed, for a continuation. */
  private ModelEvent handOut(ModelEvent event) {
    switch (event) {
      case ModelEvent.Content content -> delivered.append(content.text());
      case ModelEvent.Reasoning reasoning -> thinkingDelivered = true;
      case ModelEvent.Reset reset -> {
        delivered.setLength(0);
        thinkingDelivered = false;
      }
      default -> {}
    }
    return event;
  }

  /**
   * The next signal of the attempt, or null once {@code waitUntil} passed in silence (comment lines
   * are signals too, so the wait is an instant, not a duration); throws when a timeout runs out.
   */
  private HttpAttempt.@Nullable Signal take(Attempt current, long waitUntil) throws ModelException {
    long now = System.nanoTime();
    long total = started + properties.totalTimeout().toNanos();
    long deadline =
        Math.min(
            total,
            current.tokenSeen
                ? current.lastChunk + properties.idleTimeout().toNanos()
                : current.sentAt + properties.firstTokenTimeout().toNanos());
    if (now >= deadline) {
      current.http.abort();
      if (current.finishSeen && now < total) {
        // The answer was complete; only the closing [DONE] never came.
        return new HttpAttempt.Signal.Ended();
      }
      String which = now >= total ? "total" : current.tokenSeen ? "idle" : "first token";
      throw new ModelException(Kind.TIMEOUT, "no answer in time (" + which + " timeout)");
    }
    if (now >= waitUntil) {
      // What is queued already, without waiting: a zero wait asks only that.
      return current.http.signals().poll();
    }
    try {
      var signal =
          current.http.signals().poll(Math.min(waitUntil, deadline) - now, TimeUnit.NANOSECONDS);
      return signal != null ? signal : take(current, waitUntil);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new ModelException(Kind.CLOSED, "interrupted");
    }
  }

  /**
   * Decodes what arrived. A failure in the middle is kept until the events before it have been
   * handed out, as they would have been had the bytes come one event at a time.
   */
  private void feed(Attempt current, HttpAttempt.Signal.Bytes bytes) {
    try {
      current.sse.feed(bytes.bytes(), (data, length) -> read(current, data, length));
    } catch (ModelException e) {
      failed = e;
    }
  }

  private void read(Attempt current, byte[] data, int length) throws ModelException {
    if (ended || current != attempt) {
      return;
    }
    current.lastChunk = System.nanoTime();
    if (Arrays.equals(data, 0, length, DONE, 0, DONE.length)) {
      ended = true;
      return;
    }
    var chunk = parser.parse(data, length);
    if (chunk.model() != null) {
      current.model = chunk.model();
    }
    for (var event : chunk.events()) {
      switch (event) {
        case ModelEvent.Reasoning r -> {
          firstToken(current);
          if (current.continuing) {
            // The reader has this answer's thinking already; a continuation's new thinking would
            // land after the answer's first words.
            continue;
          }
        }
        case ModelEvent.Content c -> firstToken(current);
        case ModelEvent.Finished f -> current.finishSeen = true;
        case ModelEvent.Usage u -> metrics.tokens(current.upstream, u.tokens());
        default -> {}
      }
      pending.add(event);
    }
  }

  private void firstToken(Attempt current) {
    if (current.tokenSeen) {
      return;
    }
    current.tokenSeen = true;
    var elapsed = Duration.ofNanos(System.nanoTime() - current.sentAt);
    current.settled = true;
    current.succeeded(elapsed);
    metrics.firstToken(current.upstream, elapsed);
    metrics.attempt(current.upstream, "answered");
  }

  /** Fails over, continues, or gives up, as the failure and what was delivered allow. */
  private void recover(ModelException failure) throws ModelException {
    var current = attempt;
    if (current != null) {
      current.http.abort();
      settle(current, failure);
    }
    if (closed) {
      throw new ModelException(Kind.CLOSED, "stream closed");
    }
    if (System.nanoTime() - started >= properties.totalTimeout().toNanos()) {
      throw failure;
    }
    int from = current == null ? 0 : upstreams.indexOf(current.upstream) + 1;
    if (!delivered.isEmpty() || thinkingDelivered) {
      if (!failure.continuable() || continuations.size() >= properties.maxContinuations()) {
        throw failure;
      }
      log.info(
          "Model stream broke off after {} answer chars ({}): continuing",
          delivered.length(),
          failure.getMessage());
      continueAnswer(from);
      return;
    }
    if (!failure.failoverWorthy() || attempts >= upstreams.all().size() + properties.maxRetries()) {
      throw failure;
    }
    var next = start(from, failure);
    if (current != null && next != current.upstream) {
      metrics.failover(current.upstream, next);
    }
  }

  /**
   * Records an attempt's failure once: on its upstream's breaker (only failures that say something
   * about the upstream), in the metrics, and on its key when the upstream refused the key.
   */
  private void settle(Attempt current, ModelException failure) {
    if (current.settled) {
      if (failure.kind() != Kind.CLOSED) {
        current.brokeOff(failure);
        metrics.attempt(current.upstream, "broke_off");
      }
      return;
    }
    current.settled = true;
    var status = failure.status();
    if (failure.kind() == Kind.CLOSED || !failure.failoverWorthy()) {
      current.released();
    } else if (status != null && (status == 401 || status == 402)) {
      current.released();
      disable(current, status);
    } else {
      current.failed(System.nanoTime() - current.sentAt, failure);
    }
    metrics.attempt(current.upstream, failure.reason());
  }

  /** A refused key or an exhausted balance is not retried on every request: the key is let go. */
  private void disable(Attempt current, int status) {
    var why = status == 401 ? "the key was refused (HTTP 401)" : "no balance left (HTTP 402)";
    current.key.disabledBecause = why;
    metrics.keyDisabled(current.upstream, status);
    log.error(
        "LLM upstream {} key #{} DISABLED until the configuration changes: {}. {} of its {} keys"
            + " remain usable.",
        current.upstream.name,
        current.key.index,
        why,
        current.upstream.keys.stream().filter(Upstream.Key::usable).count(),
        current.upstream.keys.size());
  }

  /** Continues the answer from what was delivered, on the next upstream that can be asked. */
  private void continueAnswer(int from) throws ModelException {
    var pick = pick(from < 0 ? 0 : from, null);
    var upstream = pick.upstream();
    boolean prefix = upstream.continuation == Continuation.PREFIX && !delivered.isEmpty();
    String mode = prefix ? "prefix" : "restart";
    if (!prefix) {
      // Cut while thinking, or the host cannot continue a prefix: the reader starts over.
      pending.add(ModelEvent.RESET);
      delivered.setLength(0);
      thinkingDelivered = false;
    }
    continuations.add(mode + " " + upstream.name);
    metrics.continuation(upstream, mode);
    send(pick, prefix ? delivered.toString() : null);
  }

  private Upstream start(int from, @Nullable ModelException after) throws ModelException {
    var pick = pick(from, after);
    send(pick, null);
    return pick.upstream();
  }

  /** The next upstream that can be asked; a second visit to one waits a growing pause first. */
  private Upstreams.Pick pick(int from, @Nullable ModelException after) throws ModelException {
    var pick = upstreams.pick(from);
    if (pick == null) {
      throw after != null
          ? after
          : new ModelException(
              Kind.UNAVAILABLE, "no model upstream available (all disabled or cooling down)");
    }
    if (!asked.add(pick.upstream())) {
      var backoff = properties.retryBackoff().multipliedBy(1L << Math.min(revisits++, 6));
      pause(backoff);
      if (closed) {
        if (pick.permitted()) {
          pick.upstream().breaker.releasePermission();
        }
        throw new ModelException(Kind.CLOSED, "stream closed");
      }
    }
    return pick;
  }

  private void pause(Duration backoff) throws ModelException {
    var current = attempt;
    try {
      if (current != null) {
        // Wakes early when closed: close() leaves a signal in the queue being waited on.
        current.http.signals().poll(backoff.toNanos(), TimeUnit.NANOSECONDS);
      } else {
        Thread.sleep(backoff);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ModelException(Kind.CLOSED, "interrupted");
    }
  }

  private void send(Upstreams.Pick pick, @Nullable String prefix) throws ModelException {
    var upstream = pick.upstream();
    var key = upstream.nextKey();
    if (key.isEmpty()) {
      if (pick.permitted()) {
        upstream.breaker.releasePermission();
      }
      throw new ModelException(Kind.UNAVAILABLE, "no usable key for upstream " + upstream.name);
    }
    attempts++;
    var next = new Attempt(pick, key.get(), prefix);
    attempt = next;
    if (closed) {
      next.http.abort();
      next.released();
    }
  }

  @Override
  public void close() {
    closed = true;
    var current = attempt;
    if (current != null) {
      if (ended) {
        // Finished: the connection is worth keeping for the next answer.
        current.http.release();
      } else {
        current.http.abort();
        // Closed before the reader saw it settle (a job claimed elsewhere closes its stream
        // before reading it): the breaker's permission must not wait for a reader.
        current.released();
      }
    }
  }
}
