package tech.plumeintel.shuzhi.chat.prompt;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;

/**
 * What the model is asked: the server's system prompt, then the client's turns, the user's last.
 *
 * @param book the book as stored, or null when it is not known yet
 */
public record Prompt(String isbn, @Nullable Book book, String system, List<ChatMessage> turns) {

  public Prompt {
    turns = List.copyOf(turns);
  }

  /** The user's last turn. */
  public String question() {
    return turns.getLast().content();
  }

  /** Characters in the whole prompt, for logs that must not show the text. */
  public int size() {
    return system.length() + turns.stream().mapToInt(turn -> turn.content().length()).sum();
  }
}
