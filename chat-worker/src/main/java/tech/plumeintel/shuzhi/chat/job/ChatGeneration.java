package tech.plumeintel.shuzhi.chat.job;

import com.mongodb.MongoException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.history.HistoryRecorder;
import tech.plumeintel.shuzhi.chat.history.TokenSpend;
import tech.plumeintel.shuzhi.chat.job.StreamMetrics.Outcome;
import tech.plumeintel.shuzhi.chat.llm.ChatModel;
import tech.plumeintel.shuzhi.chat.llm.LlmProperties;
import tech.plumeintel.shuzhi.chat.llm.ModelEvent;
import tech.plumeintel.shuzhi.chat.llm.ModelException;
import tech.plumeintel.shuzhi.chat.llm.ModelStream;
import tech.plumeintel.shuzhi.chat.moderation.AnswerModeration;
import tech.plumeintel.shuzhi.chat.moderation.AnswerWithheld;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.chat.prompt.PromptBuilder;
import tech.plumeintel.shuzhi.chat.stream.ActiveStreams;
import tech.plumeintel.shuzhi.chat.stream.ChunkRenderer;
import tech.plumeintel.shuzhi.chat.stream.Claim;
import tech.plumeintel.shuzhi.chat.stream.FrameDeliveryException;
import tech.plumeintel.shuzhi.chat.stream.FramePublisher;
import tech.plumeintel.shuzhi.chat.stream.FrameWriter;
import tech.plumeintel.shuzhi.chat.stream.StreamProperties;
import tech.plumeintel.shuzhi.chat.takeover.Leases;
import tech.plumeintel.shuzhi.chat.takeover.Resumption;
import tech.plumeintel.shuzhi.chat.takeover.TakeoverProperties;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.platform.RequestIds;

/**
 * Generates one job, on its own thread: drops it if its pickup deadline passed, claims it, streams
 * the model's events to Redis as frames (heartbeats while the model is silent), ends the stream
 * with DONE (after a {@code cancelled} finish chunk when the user stopped it) or with a {@code
 * MODEL_ERROR} frame, and stores the exchange.
 */
@Component
class ChatGeneration {

  private static final Logger log = LoggerFactory.getLogger(ChatGeneration.class);

  /**
   * A job this fresh has its model request sent while its claim is on the way to Redis, not after:
   * the claim's round trip stood between the job and the first token (bench, first-token path). The
   * claim refuses a redelivered record and a job the reader stopped before a worker took it; either
   * then aborts a request sent a fraction of a millisecond before. Neither is likely this soon
   * after the request (a redelivery follows a worker's death or a rebalance, seconds; a stop
   * follows a reader's tap), and an older job, which waited in a backlog, is claimed first: the
   * claim's round trip is nothing beside its wait, and a backlog is where readers stop.
   */
  static final Duration SENT_BEFORE_THE_CLAIM_WITHIN = Duration.ofSeconds(1);

  private final FramePublisher frames;
  private final ActiveStreams active;
  private final PromptBuilder prompts;
  private final ChatModel model;
  private final HistoryRecorder history;
  private final TokenSpend spend;
  private final StreamMetrics metrics;
  private final StreamProperties properties;
  private final Clock clock;
  private final AnswerModeration moderation;
  private final Leases leases;
  private final LlmProperties llm;
  private final TakeoverProperties takeover;

  ChatGeneration(
      FramePublisher frames,
      ActiveStreams active,
      PromptBuilder prompts,
      ChatModel model,
      HistoryRecorder history,
      TokenSpend spend,
      StreamMetrics metrics,
      StreamProperties properties,
      Clock clock,
      AnswerModeration moderation,
      Leases leases,
      LlmProperties llm,
      TakeoverProperties takeover) {
    this.moderation = moderation;
    this.leases = leases;
    this.llm = llm;
    this.takeover = takeover;
    this.spend = spend;
    this.frames = frames;
    this.active = active;
    this.prompts = prompts;
    this.model = model;
    this.history = history;
    this.metrics = metrics;
    this.properties = properties;
    this.clock = clock;
  }

  void run(ChatRequested job) {
    // Each stream runs on a thread of its own: the request id must follow it into the logs.
    MDC.put(RequestIds.MDC_KEY, job.requestId());
    try {
      generate(job);
    } finally {
      MDC.remove(RequestIds.MDC_KEY);
    }
  }

  private void generate(ChatRequested job) {
    var requestId = job.requestId();
    var pickedUp = clock.instant();
    if (pickedUp.isAfter(job.pickupDeadline())) {
      // The API has already told the client no worker answered; generating would be wasted money.
      log.info(
          "Job {} dropped: picked up {} ms after its deadline",
          requestId,
          Duration.between(job.pickupDeadline(), pickedUp).toMillis());
      metrics.ended(Outcome.EXPIRED);
      return;
    }
    var registered = active.register(requestId);
    if (registered.isEmpty()) {
      log.info("Job {} skipped: already running here", requestId);
      metrics.ended(Outcome.DUPLICATE);
      return;
    }
    try (var handle = registered.get()) {
      var path = new FirstTokenPath(requestId, job.requestedAt(), pickedUp);
      var claim = frames.claim(requestId);
      Prompt prompt = prompts.build(job);
      path.promptReady();
      var stream =
          pickedUp.isAfter(job.requestedAt().plus(SENT_BEFORE_THE_CLAIM_WITHIN))
              ? null
              : start(job, prompt, handle);
      Claim claimed;
      try {
        claimed = claim.result();
      } catch (RuntimeException e) {
        closeIfStarted(stream);
        throw e;
      }
      if (claimed != Claim.TAKEN && stream != null) {
        stream.close();
        metrics.withdrawn(claimed);
      }
      switch (claimed) {
        case ALREADY_TAKEN -> {
          log.info("Job {} skipped: already claimed", requestId);
          metrics.ended(Outcome.DUPLICATE);
        }
        case CANCELLED -> {
          var writer = frames.open(requestId);
          writer.chunk(
              new ChunkRenderer(requestId, pickedUp.getEpochSecond())
                  .finish(model.name(), "cancelled"));
          writer.done();
          log.info("Job {} skipped: cancelled before it started", requestId);
          metrics.ended(Outcome.CANCELLED_BEFORE_START);
        }
        case TAKEN -> {
          // The lease's round trip to Redis overlaps the model's first token instead of preceding
          // it (bench, first-token path: after the claim's answer it could end after the token).
          var lease = Thread.ofVirtual().name("lease-" + requestId).start(() -> holdLease(job));
          try {
            generate(
                job,
                prompt,
                stream != null ? stream : start(job, prompt, handle),
                path,
                handle,
                pickedUp,
                null);
          } finally {
            // A release that overtook the hold would leave a lease for another worker to take over.
            awaitUninterruptibly(lease);
            leases.release(requestId);
          }
        }
      }
    } catch (FrameDeliveryException e) {
      log.warn("Job {} could not use Redis: {}", requestId, e.getMessage());
      metrics.ended(Outcome.FAILED);
    }
  }

  /** Sends the model request; content security (#17) checks the text while it streams. */
  private ModelStream start(ChatRequested job, Prompt prompt, ActiveStreams.Handle handle) {
    return watched(job, handle, model.stream(prompt, job.userId()));
  }

  /** The generation as the relay reads it: checked as it streams, closed by the reader's stop. */
  private ModelStream watched(
      ChatRequested job, ActiveStreams.Handle handle, ModelStream generation) {
    var stream = moderation.watch(job, generation);
    handle.attach(stream);
    return stream;
  }

  private static void closeIfStarted(@Nullable ModelStream stream) {
    if (stream != null) {
      stream.close();
    }
  }

  /**
   * Continues a stream whose worker died, claimed from its lapsed lease: from the text its log
   * holds, numbering frames on from its last, within the bounds on takeovers and on the answer's
   * total time.
   */
  void resume(Resumption resumption) {
    var job = resumption.job();
    var requestId = job.requestId();
    MDC.put(RequestIds.MDC_KEY, requestId);
    var pickedUp = clock.instant();
    try {
      var registered = active.register(requestId);
      if (registered.isEmpty()) {
        return;
      }
      try (var handle = registered.get()) {
        var overdue = pickedUp.isAfter(job.requestedAt().plus(llm.totalTimeout()));
        if (resumption.takeovers() > takeover.maxTakeovers() || overdue) {
          log.warn(
              "Job {} not continued: {}",
              requestId,
              overdue ? "past its total time" : "taken over too often");
          frames
              .openAfter(requestId, resumption.lastSeq())
              .error(ChunkRenderer.error("MODEL_ERROR", "对话服务中断，请重试。"));
          metrics.ended(Outcome.FAILED);
          return;
        }
        var path = new FirstTokenPath(requestId, job.requestedAt(), pickedUp);
        var prompt = prompts.build(job);
        path.promptReady();
        var stream =
            watched(job, handle, model.resume(prompt, job.userId(), resumption.delivered()));
        generate(job, prompt, stream, path, handle, pickedUp, resumption);
      }
    } catch (FrameDeliveryException e) {
      log.warn("Job {} could not use Redis: {}", requestId, e.getMessage());
      metrics.ended(Outcome.FAILED);
    } finally {
      leases.release(requestId);
      MDC.remove(RequestIds.MDC_KEY);
    }
  }

  private static void awaitUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Without a lease the stream still runs; it only cannot be continued if this worker dies. */
  private void holdLease(ChatRequested job) {
    try {
      leases.hold(job);
    } catch (RuntimeException e) {
      log.warn("Job {} runs without a lease: {}", job.requestId(), e.toString());
    }
  }

  /** Relays a started stream, which it closes, and stores the exchange. */
  private void generate(
      ChatRequested job,
      Prompt prompt,
      ModelStream stream,
      FirstTokenPath path,
      ActiveStreams.Handle handle,
      Instant pickedUp,
      @Nullable Resumption resumption) {
    log.info(
        "Job {} {}: {} turns, {} prompt chars, book {}",
        job.requestId(),
        resumption == null ? "generating" : "continuing after frame " + resumption.lastSeq(),
        prompt.turns().size(),
        prompt.size(),
        prompt.book() == null ? "unknown" : "known");
    var transcript = new Transcript(pickedUp);
    if (resumption != null) {
      transcript.answer.append(resumption.answer());
      transcript.reasoning.append(resumption.reasoning());
    }
    // Only the question is kept for the history: the system prompt (the book, kilobytes) need not
    // live as long as the stream, 2,000 of which the worker holds at once.
    var question = prompt.question();
    Outcome outcome;
    String modelName;
    String upstream;
    List<String> continuations;
    try (stream) {
      var writer =
          resumption == null
              ? frames.open(job.requestId())
              : frames.openAfter(job.requestId(), resumption.lastSeq());
      if (resumption != null) {
        // The API is waiting for a sign of life since the dead worker's last one.
        writer.heartbeat();
      }
      var chunks = new ChunkRenderer(job.requestId(), pickedUp.getEpochSecond());
      try {
        outcome = relay(job.requestId(), stream, writer, chunks, transcript, handle, path);
      } catch (FrameDeliveryException e) {
        log.warn(
            "Job {} lost its stream after {} frames: {}",
            job.requestId(),
            writer.frames(),
            e.getMessage());
        outcome = Outcome.FAILED;
      }
      modelName = stream.model();
      upstream = stream.upstream();
      continuations = new ArrayList<String>();
      if (resumption != null) {
        continuations.add("takeover " + resumption.worker());
      }
      continuations.addAll(stream.continuations());
    }
    metrics.ended(outcome);
    log.info(
        "Job {} {}: {} answer chars, {} reasoning chars, {} completion tokens",
        job.requestId(),
        outcome.tag(),
        transcript.answer.length(),
        transcript.reasoning.length(),
        transcript.usage == null ? "?" : transcript.usage.completionTokens());
    store(job, question, transcript, outcome, modelName, upstream, continuations);
  }

  private Outcome relay(
      String requestId,
      ModelStream stream,
      FrameWriter writer,
      ChunkRenderer chunks,
      Transcript transcript,
      ActiveStreams.Handle handle,
      FirstTokenPath path) {
    try {
      while (true) {
        // Frames leave as soon as the model has nothing more queued: a pending frame never waits
        // for the next token, but tokens that arrived together leave together.
        var wait = writer.pending() ? Duration.ZERO : properties.heartbeatInterval();
        switch (stream.next(wait)) {
          case ModelEvent.Silence ignored -> {
            if (writer.pending()) {
              writer.send();
              path.sent();
            } else {
              writer.heartbeat();
            }
          }
          case ModelEvent.Reasoning reasoning -> {
            firstToken(transcript, stream.model());
            path.tokenRead();
            transcript.reasoning.append(reasoning.text());
            writer.chunk(chunks.reasoning(stream.model(), reasoning.text()));
          }
          case ModelEvent.Content content -> {
            firstToken(transcript, stream.model());
            path.tokenRead();
            transcript.answer.append(content.text());
            writer.chunk(chunks.content(stream.model(), content.text()));
          }
          case ModelEvent.Reset ignored -> {
            // The answer starts over: the reader drops what it was shown, and so does the history.
            transcript.answer.setLength(0);
            transcript.reasoning.setLength(0);
            writer.reset();
          }
          case ModelEvent.Finished finished ->
              writer.chunk(chunks.finish(stream.model(), finished.reason()));
          case ModelEvent.Usage usage -> {
            transcript.usage = usage.tokens();
            metrics.tokens(stream.model(), usage.tokens());
            writer.chunk(chunks.usage(stream.model(), usage.tokens()));
          }
          case ModelEvent.End ignored -> {
            writer.done();
            return Outcome.COMPLETED;
          }
        }
      }
    } catch (AnswerWithheld e) {
      // Content security (#17): the generation is stopped; its text leaves the replay log.
      writer.error(ChunkRenderer.error(e.code(), e.getMessage()));
      moderation.withdraw(requestId);
      return Outcome.WITHHELD;
    } catch (ModelException e) {
      if (handle.cancelled()) {
        writer.chunk(chunks.finish(stream.model(), "cancelled"));
        writer.done();
        return Outcome.CANCELLED;
      }
      log.warn(
          "Job {} model failed after {} frames: {} ({})",
          requestId,
          writer.frames(),
          e.getMessage(),
          e.kind());
      writer.error(ChunkRenderer.error("MODEL_ERROR", messageFor(e)));
      return Outcome.FAILED;
    }
  }

  private void firstToken(Transcript transcript, String modelName) {
    if (transcript.firstTokenAt == null) {
      transcript.firstTokenAt = clock.instant();
      metrics.firstToken(modelName, Duration.between(transcript.pickedUp, transcript.firstTokenAt));
    }
  }

  private void store(
      ChatRequested job,
      String question,
      Transcript transcript,
      Outcome outcome,
      String modelName,
      String upstream,
      List<String> continuations) {
    var status =
        switch (outcome) {
          case COMPLETED -> Exchange.Status.completed;
          case CANCELLED -> Exchange.Status.cancelled;
          case WITHHELD -> Exchange.Status.withheld;
          default -> Exchange.Status.failed;
        };
    // Content security (#17): a withheld answer's text is not kept.
    boolean withheld = outcome == Outcome.WITHHELD;
    var exchange =
        new Exchange(
            job.requestId(),
            "",
            job.userId(),
            job.isbn(),
            question,
            withheld ? "" : transcript.answer.toString(),
            withheld ? "" : transcript.reasoning.toString(),
            status,
            transcript.usage,
            modelName,
            job.requestedAt(),
            transcript.firstTokenAt,
            clock.instant(),
            upstream,
            continuations);
    try {
      history.record(exchange);
    } catch (MongoException e) {
      log.error("Job {} not stored in history: {}", job.requestId(), e.toString());
    }
    if (transcript.usage != null) {
      try {
        spend.add(job.userId(), transcript.usage);
      } catch (RuntimeException e) {
        log.warn("Job {} tokens not counted against the budget: {}", job.requestId(), e.toString());
      }
    }
  }

  private static String messageFor(ModelException e) {
    return switch (e.kind()) {
      case TIMEOUT -> "模型响应超时，请稍后再试。";
      case REJECTED ->
          e.status() != null && e.status() == 429 ? "模型服务繁忙，请稍后再试。" : "模型服务暂时不可用，请稍后再试。";
      case UNAVAILABLE, CLOSED -> "模型服务连接中断，请稍后再试。";
      case MALFORMED -> "模型服务返回了无法识别的内容，请稍后再试。";
    };
  }

  /** What the stream carried, for the history. */
  private static final class Transcript {
    final Instant pickedUp;
    final StringBuilder answer = new StringBuilder();
    final StringBuilder reasoning = new StringBuilder();
    @Nullable TokenUsage usage;
    @Nullable Instant firstTokenAt;

    Transcript(Instant pickedUp) {
      this.pickedUp = pickedUp;
    }
  }
}
