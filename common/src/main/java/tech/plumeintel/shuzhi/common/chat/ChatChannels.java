package tech.plumeintel.shuzhi.common.chat;

import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Redis names of one chat stream. The worker appends each {@link StreamFrame} to the log and then
 * publishes it on the events channel, in that order, so that a reader that subscribes first and
 * reads the log second misses nothing.
 */
public final class ChatChannels {

  private ChatChannels() {}

  /** Pub/sub channel with the stream's frames, live. */
  public static String events(String requestId) {
    return "chat:" + requestId;
  }

  /** List of the stream's frames in sequence order (frame n at index n - 1), kept for resume. */
  public static String log(String requestId) {
    return "chat:" + requestId + ":log";
  }

  /** Pub/sub channel on which the API tells the worker to stop generating. */
  public static String cancel(String requestId) {
    return "chat:" + requestId + ":cancel";
  }

  /**
   * Hash describing the stream: its owner and book (written by the API), whether it was cancelled
   * before a worker took it, and which worker took it (claimed once, so a redelivered job is not
   * generated twice).
   */
  public static String meta(String requestId) {
    return "chat:" + requestId + ":meta";
  }

  /**
   * Counter of the LLM tokens a reader spent on one day (in {@link #BUDGET_ZONE}), added to by the
   * worker when a stream reports its usage, read by the API against the daily budget.
   */
  public static String dailyTokens(String userId, LocalDate day) {
    return "chat:tokens:" + userId + ":" + day;
  }

  /** The readers are in China; their day is Beijing's. */
  public static final ZoneId BUDGET_ZONE = ZoneId.of("Asia/Shanghai");

  public static final String META_USER = "user";
  public static final String META_ISBN = "isbn";
  public static final String META_CANCELLED = "cancelled";
  public static final String META_WORKER = "worker";
}
