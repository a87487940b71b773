package tech.plumeintel.shuzhi.api.chat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;
import org.springframework.web.context.request.async.WebAsyncUtils;

/**
 * Relays chat streams from Redis to this instance's clients: {@link #open} answers a request with
 * one stream, new or resumed. Each connection is a {@link StreamConnection}; a virtual thread
 * writes a burst of frames (none while a stream is idle, so an idle stream costs no thread stack),
 * and one clock lets every connection notice its pings and deadlines. When the instance stops, it
 * ends every connection without a final event before the web server's graceful shutdown begins:
 * their clients resume on another instance from the last event they got, and lose nothing, since
 * the stream lives in Redis.
 *
 * <p>The response is written through the servlet response once async processing has started, the
 * headers (with the request id) at once. Spring's StreamingResponseBody is not used: it ignores
 * flush(), and every event must leave as soon as it is written; nor SseEmitter, whose per-event
 * conversion and flush would cost more than the relay itself.
 */
@Component
class StreamRelay implements SmartLifecycle {

  static final String REQUEST_ID_HEADER = "X-Request-Id";
  private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

  /** How late a ping or a deadline may be noticed; pings are 15 s apart, deadlines seconds. */
  private static final long TICK_MILLIS = 250;

  private final StreamRecords records;
  private final LiveFrames liveFrames;
  private final PickupBacklog backlog;
  private final ChatProperties properties;
  private final Clock clock;
  private final Set<StreamConnection> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService writers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chat-stream").factory());
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("chat-stream-clock").daemon().factory());
  private @Nullable ScheduledFuture<?> ticks;
  private volatile boolean running;

  StreamRelay(
      StreamRecords records,
      LiveFrames liveFrames,
      PickupBacklog backlog,
      ChatProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.records = records;
    this.liveFrames = liveFrames;
    this.backlog = backlog;
    this.properties = properties;
    this.clock = clock;
    Gauge.builder("shuzhi.chat.relayed.streams", open, Set::size)
        .description("Chat streams this API instance is relaying to clients")
        .register(meters);
  }

  /**
   * Where a connection starts in its stream.
   *
   * @param afterSeq the last event the client has (0: from the start)
   * @param pickupDeadline for a new job: when it fails if no worker has taken it
   * @param publish for a new job: sends it to the workers; may throw, and then no stream is opened
   */
  record Opening(
      long afterSeq, @Nullable Instant pickupDeadline, Supplier<ChatJobs.@Nullable Sent> publish) {

    static Opening newJob(Instant pickupDeadline, Supplier<ChatJobs.Sent> publish) {
      return new Opening(0, pickupDeadline, publish::get);
    }

    /** An existing stream, after the client's last event. */
    static Opening existing(long afterSeq) {
      return new Opening(afterSeq, null, () -> null);
    }
  }

  /**
   * Subscribes to the stream's frames, publishes a new job, and answers with the stream. The
   * subscription is confirmed before the connection reads the stream's log, so that a frame
   * published while the log is read is not lost; a frame published before it is confirmed is in the
   * log. So the job is sent while the subscription is on its way, not after: its round trip to
   * Redis is not in the time to the first token.
   *
   * @return the stream to answer with; null when the stream has ended and the client has its last
   *     event, answered {@code 204 No Content}: the signal that stops a W3C {@code EventSource}
   *     from reconnecting for ever
   */
  @Nullable DeferredResult<Void> open(
      HttpServletRequest request,
      HttpServletResponse response,
      String requestId,
      StreamFormat format,
      Opening opening) {
    var replay = new Replay(records, requestId, opening.afterSeq());
    if (replay.endedAtOrBeforePosition()) {
      response.setStatus(HttpServletResponse.SC_NO_CONTENT);
      response.setHeader(REQUEST_ID_HEADER, requestId);
      return null;
    }
    // A new job waits for a worker until one is seen (the worker's claim sends a heartbeat) or
    // the connection closes, on every path below.
    var liveness =
        new Liveness(
            properties,
            opening.pickupDeadline(),
            clock.millis(),
            opening.pickupDeadline() == null ? null : backlog.begin()::end);
    var connection = new StreamConnection(requestId, format, replay, liveness, clock, writers);
    LiveFrames.Subscription subscription;
    try {
      subscription = liveFrames.subscribe(requestId, connection::offer);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
    ChatJobs.@Nullable Sent sent = null;
    try {
      sent = opening.publish().get();
      subscription.awaitConfirmed();
      if (sent != null) {
        sent.await();
      }
    } catch (RuntimeException e) {
      connection.close();
      subscription.close();
      if (sent != null) {
        // The job may be on its way to a worker: one that takes it drops it, unread.
        replay.cancelUnclaimedJob();
      }
      throw e;
    }

    response.setStatus(HttpServletResponse.SC_OK);
    response.setHeader(REQUEST_ID_HEADER, requestId);
    response.setHeader("X-Accel-Buffering", "no");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.setContentType(format.mediaType().toString());
    open.add(connection);
    var result = new DeferredResult<Void>(properties.maxConnection().plusMinutes(1).toMillis());
    result.onTimeout(() -> result.setResult(null));
    result.onCompletion(
        () -> {
          open.remove(connection);
          connection.close();
          subscription.close();
        });
    WebAsyncUtils.getAsyncManager(request)
        .registerDeferredResultInterceptor(
            StreamConnection.class,
            new DeferredResultProcessingInterceptor() {
              @Override
              public <T> void preProcess(NativeWebRequest webRequest, DeferredResult<T> deferred)
                  throws IOException {
                // Async has started: from here the response may be written from another thread.
                var start = format.opening(properties.clientRetry());
                if (start != null) {
                  response.getOutputStream().write(start);
                }
                response.flushBuffer();
                connection.start(
                    response.getOutputStream(),
                    () -> {
                      subscription.close();
                      end(result);
                    });
              }
            });
    return result;
  }

  /**
   * Ends the request's async processing from the stream's thread. When the client went away Tomcat
   * may have run its own error handling first (it calls Spring's, which ends the request), and then
   * refuses any dispatch from an application thread with an IllegalStateException: nothing is left
   * to end then, and the exception would only reach the top of the stream's thread.
   */
  private static void end(DeferredResult<Void> result) {
    try {
      result.setResult(null);
    } catch (IllegalStateException alreadyEndedByTomcat) {
      log.debug("Stream ended after its request did: {}", alreadyEndedByTomcat.getMessage());
    }
  }

  @Override
  public void start() {
    running = true;
    ticks = ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = clock.millis();
    for (var connection : open) {
      connection.tick(now);
    }
  }

  @Override
  public void stop() {
    running = false;
    if (!open.isEmpty()) {
      log.info("Handing {} open streams back to their clients to resume elsewhere", open.size());
    }
    open.forEach(StreamConnection::handBack);
    if (ticks != null) {
      ticks.cancel(false);
    }
  }

  @PreDestroy
  void shutDown() {
    ticker.shutdownNow();
    writers.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops first, before the web server waits for open requests to finish. */
  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }
}
