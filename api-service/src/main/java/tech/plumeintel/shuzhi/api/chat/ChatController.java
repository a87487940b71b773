package tech.plumeintel.shuzhi.api.chat;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import tech.plumeintel.shuzhi.api.book.IsbnParameter;
import tech.plumeintel.shuzhi.api.contentsecurity.QuestionCheck;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.Caller;
import tech.plumeintel.shuzhi.api.web.RateLimits;
import tech.plumeintel.shuzhi.platform.IdGenerator;
import tech.plumeintel.shuzhi.platform.RequestIds;

/** Starting, resuming and stopping chat streams. */
@RestController
class ChatController {

  private static final Logger log = LoggerFactory.getLogger(ChatController.class);

  private final StreamRecords records;
  private final StreamRelay relay;
  private final ChatJobs jobs;
  private final ChatProperties properties;
  private final IdGenerator ids;
  private final Clock clock;
  private final RateLimits limits;
  private final TokenBudget budget;
  private final QuestionCheck questionCheck;
  private final PickupBacklog backlog;

  ChatController(
      StreamRecords records,
      StreamRelay relay,
      ChatJobs jobs,
      ChatProperties properties,
      IdGenerator ids,
      Clock clock,
      RateLimits limits,
      TokenBudget budget,
      QuestionCheck questionCheck,
      PickupBacklog backlog) {
    this.questionCheck = questionCheck;
    this.backlog = backlog;
    this.limits = limits;
    this.budget = budget;
    this.records = records;
    this.relay = relay;
    this.jobs = jobs;
    this.properties = properties;
    this.ids = ids;
    this.clock = clock;
  }

  @PostMapping("/api/chat/stream/")
  @Nullable DeferredResult<Void> start(
      Caller caller,
      HttpServletRequest servletRequest,
      HttpServletResponse servletResponse,
      HttpEntity<ChatStreamRequest> body,
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept) {
    // Not @RequestBody: its binding result would keep the whole conversation (up to 32,000
    // characters) in the request's model for as long as the stream is open.
    var opened = new ChatOpened();
    var request = body.getBody();
    if (request == null) {
      throw ApiException.invalid("请求体不是有效的 JSON，或字段类型不对");
    }
    // Checked before the limits, which write the stream's record in their round trip to Redis.
    var isbn = IsbnParameter.parse(request.isbn());
    var messages = request.messagesChecked();
    var clientMsgId = request.clientMsgIdChecked();
    var format = StreamFormat.forAccept(accept);
    // Before the limits: a chat refused because the workers are behind costs the reader nothing.
    backlog.requireRoom(() -> clientMsgId != null && records.answers(caller.userId(), clientMsgId));
    var requestId = ids.next();
    var record = records.opening(requestId, caller.userId(), isbn.value());
    var claim =
        clientMsgId == null ? null : records.clientMessage(caller.userId(), clientMsgId, requestId);
    var admitted =
        limits.takeBoth(
            RateLimits.Limit.CHAT_USER,
            caller.userId(),
            RateLimits.Limit.CHAT_ADDRESS,
            servletRequest.getRemoteAddr(),
            new RateLimits.Admission(budget.ceiling(caller.userId()), claim, record));
    opened.limitsTaken();
    if (admitted instanceof RateLimits.Admitted.AtCeiling atCeiling) {
      throw budget.exhausted(atCeiling.value());
    }
    boolean asked = !(admitted instanceof RateLimits.Admitted.NotAsked);
    // Whether this request's record (and its client message's claim) is in Redis, to be removed if
    // the request stops before its stream begins.
    boolean holding = admitted instanceof RateLimits.Admitted.Opened;
    Optional<String> existing =
        admitted instanceof RateLimits.Admitted.Held held
            ? Optional.of(held.holder())
            : Optional.empty();
    try {
      if (!asked) {
        budget.requireRemaining(caller.userId());
      }
      // Content security (#17): a risky question is refused before anything is published or
      // streamed; a repeated client message is checked too, as its first sending was.
      questionCheck.requireAllowed(caller.userId(), messages);
      opened.checked();
      if (!asked) {
        existing =
            clientMsgId == null
                ? Optional.empty()
                : records.claimClientMessage(caller.userId(), clientMsgId, requestId);
        holding = existing.isEmpty();
        if (holding) {
          records.open(record);
        }
      }
    } catch (RuntimeException e) {
      if (holding) {
        records.discardQuietly(requestId, claim);
      }
      throw e;
    }
    // The stream's id is the request id from here on, in this log and in the worker's; a refused
    // request's lines keep the id its answer names.
    MDC.put(RequestIds.MDC_KEY, requestId);

    if (existing.isPresent()) {
      log.info("Chat {} repeated client message; attached to stream {}", requestId, existing.get());
      return relay.open(
          servletRequest, servletResponse, existing.get(), format, StreamRelay.Opening.existing(0));
    }
    opened.recorded(requestId);
    var opening =
        StreamRelay.Opening.newJob(
            clock.instant().plus(properties.pickupTimeout()),
            () -> {
              var sent = jobs.send(requestId, caller.userId(), isbn.value(), messages);
              opened.sent();
              return sent;
            });
    @Nullable DeferredResult<Void> stream;
    try {
      stream = relay.open(servletRequest, servletResponse, requestId, format, opening);
      opened.acknowledged();
    } catch (ApiException e) {
      if (clientMsgId != null) {
        records.releaseClientMessage(caller.userId(), clientMsgId);
      }
      throw e;
    }
    log.info("Chat {} started: {} messages", requestId, messages.size());
    return stream;
  }

  /** Answers 204 when the stream has ended and the caller has its last event. */
  @GetMapping("/api/chat/stream/{requestId}/")
  @Nullable DeferredResult<Void> resume(
      Caller caller,
      HttpServletRequest servletRequest,
      HttpServletResponse servletResponse,
      @PathVariable String requestId,
      @RequestHeader(value = "Last-Event-ID", required = false) @Nullable String lastEventId,
      @RequestParam(value = "after", required = false) @Nullable String after,
      @RequestHeader(value = HttpHeaders.ACCEPT, required = false) @Nullable String accept) {
    requireOwner(caller, requestId);
    var afterSeq = afterSeq(lastEventId != null ? lastEventId : after);
    return relay.open(
        servletRequest,
        servletResponse,
        requestId,
        StreamFormat.forAccept(accept),
        StreamRelay.Opening.existing(afterSeq));
  }

  @PostMapping("/api/chat/stream/{requestId}/cancel/")
  Map<String, Object> cancel(Caller caller, @PathVariable String requestId) {
    requireOwner(caller, requestId);
    records.cancel(requestId);
    log.info("Chat {} cancelled by its reader", requestId);
    return Map.of("request_id", requestId, "cancelled", true);
  }

  /** Another reader's stream is answered exactly like a stream that does not exist. */
  private void requireOwner(Caller caller, String requestId) {
    if (requestId.length() > 64
        || !records.owner(requestId).map(caller.userId()::equals).orElse(false)) {
      throw ApiException.notFound("没有这个对话流，或已过期");
    }
  }

  private static long afterSeq(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      var seq = Long.parseLong(value.trim());
      if (seq < 0) {
        throw new NumberFormatException();
      }
      return seq;
    } catch (NumberFormatException e) {
      throw ApiException.invalid("Last-Event-ID / after 须为非负整数");
    }
  }
}
