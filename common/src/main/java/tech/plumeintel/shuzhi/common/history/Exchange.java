package tech.plumeintel.shuzhi.common.history;

import java.time.Instant;
import java.util.List;
import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * One question and its answer, in the {@value #COLLECTION} collection, indexed on {@code
 * (conversation_id, created_at)}. Written once by the chat-worker when the stream ends, whatever
 * way it ends; keyed by the chat request id, so a redelivered job cannot store it twice.
 *
 * @param requestId the chat request (stream) id
 * @param conversationId the {@link Conversation#id()} it belongs to
 * @param question the user's last turn as sent
 * @param answer the answer's content as streamed; partial when cancelled or failed, empty when
 *     withheld
 * @param reasoning the model's thinking as streamed, kept apart; never sent back to the model
 * @param usage the tokens the model reported; null when it reported none (cancelled, failed)
 * @param model the model that answered, as it named itself
 * @param createdAt when the client asked
 * @param firstTokenAt when the model's first token (thinking or answer) arrived; null if none did
 * @param completedAt when the stream ended
 * @param upstream the upstream that answered ({@code primary}, {@code fallback-0}, …); null in
 *     exchanges stored before upstreams were recorded
 * @param continuations how the answer was continued after it broke off, in order ({@code "prefix
 *     fallback-0"}, {@code "restart primary"}, {@code "takeover <worker>"}); empty or null when it
 *     never broke off
 */
public record Exchange(
    @BsonId String requestId,
    @BsonProperty("conversation_id") String conversationId,
    @BsonProperty("user_id") String userId,
    String isbn,
    String question,
    String answer,
    String reasoning,
    Status status,
    @Nullable TokenUsage usage,
    String model,
    @BsonProperty("created_at") Instant createdAt,
    @BsonProperty("first_token_at") @Nullable Instant firstTokenAt,
    @BsonProperty("completed_at") Instant completedAt,
    @Nullable String upstream,
    @Nullable List<String> continuations) {

  /** An exchange without upstream details (the offline answerer's, tests'). */
  public Exchange(
      String requestId,
      String conversationId,
      String userId,
      String isbn,
      String question,
      String answer,
      String reasoning,
      Status status,
      @Nullable TokenUsage usage,
      String model,
      Instant createdAt,
      @Nullable Instant firstTokenAt,
      Instant completedAt) {
    this(
        requestId,
        conversationId,
        userId,
        isbn,
        question,
        answer,
        reasoning,
        status,
        usage,
        model,
        createdAt,
        firstTokenAt,
        completedAt,
        null,
        null);
  }

  /** The MongoDB collection of exchanges. */
  public static final String COLLECTION = "exchanges";

  /**
   * How the stream ended. The constants are spelled as they are stored and served (the driver
   * stores an enum by its name).
   */
  public enum Status {
    /** The model finished its answer. */
    completed,
    /** The user pressed stop; the answer is what had arrived by then. */
    cancelled,
    /** The model or the stream failed; the answer is what had arrived by then. */
    failed,
    /**
     * WeChat's content security judged the answer risky (or could not check it, fail-closed): the
     * stream was stopped and its text is not kept; answer and reasoning are empty.
     */
    withheld
  }
}
