package tech.plumeintel.shuzhi.common.chat;

import java.time.Instant;
import java.util.List;

/**
 * The API asks a chat-worker to answer. Keyed by the user id.
 *
 * @param requestId names the stream, its Redis channels ({@link ChatChannels}) and the stored
 *     exchange
 * @param isbn ISBN-13 of the book talked about
 * @param messages the conversation as the client sent it: user and assistant turns, the user's last
 * @param pickupDeadline the API has given up waiting for a worker by then; a job picked up later is
 *     dropped, not generated
 */
public record ChatRequested(
    String requestId,
    String userId,
    String isbn,
    List<ChatMessage> messages,
    Instant requestedAt,
    Instant pickupDeadline) {

  public static final String TOPIC = "chat.requested";

  public ChatRequested {
    messages = List.copyOf(messages);
  }
}
