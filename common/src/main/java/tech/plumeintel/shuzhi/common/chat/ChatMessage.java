package tech.plumeintel.shuzhi.common.chat;

/** One turn of the conversation the client sends. Clients never send system turns. */
public record ChatMessage(Role role, String content) {

  /** Who spoke; the system prompt is the server's own and never comes from a client. */
  public enum Role {
    USER,
    ASSISTANT
  }
}
