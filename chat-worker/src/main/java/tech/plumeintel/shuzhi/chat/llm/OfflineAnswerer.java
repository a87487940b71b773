package tech.plumeintel.shuzhi.chat.llm;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.chat.prompt.PromptBuilder;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.history.TokenUsage;

/**
 * Stands in for the LLM in the local run when no key is configured: streams a clearly labelled
 * answer made from the book's metadata, a little thinking first, a few characters at a time, so the
 * whole pipeline can be tried without an account. Never used when a key is set or outside the
 * {@code local} profile (see {@link LlmConfiguration}).
 */
final class OfflineAnswerer implements ChatModel {

  static final String LABEL = "【离线模式】";
  static final String MODEL = "offline";

  private final Duration tokenDelay;

  OfflineAnswerer(Duration tokenDelay) {
    this.tokenDelay = tokenDelay;
  }

  @Override
  public ModelStream stream(Prompt prompt, String user) {
    return resume(prompt, user, Delivered.NOTHING);
  }

  /** The answer is the same every time: what was delivered of it is skipped, else it restarts. */
  @Override
  public ModelStream resume(Prompt prompt, String user, Delivered delivered) {
    var events = new ArrayDeque<ModelEvent>();
    var reasoning = "离线模式：没有配置模型密钥，不调用大模型，只根据书目信息作答。";
    var answer = answer(prompt);
    if (delivered.anything()
        && !delivered.content().isEmpty()
        && answer.startsWith(delivered.content())) {
      pieces(answer.substring(delivered.content().length()))
          .forEach(piece -> events.add(new ModelEvent.Content(piece)));
    } else {
      if (delivered.anything()) {
        events.add(ModelEvent.RESET);
      }
      pieces(reasoning).forEach(piece -> events.add(new ModelEvent.Reasoning(piece)));
      pieces(answer).forEach(piece -> events.add(new ModelEvent.Content(piece)));
    }
    events.add(new ModelEvent.Finished("stop"));
    int completion = reasoning.length() + answer.length();
    events.add(
        new ModelEvent.Usage(
            new TokenUsage(prompt.size(), completion, reasoning.length(), 0, prompt.size())));
    return new OfflineStream(events, tokenDelay);
  }

  @Override
  public String name() {
    return MODEL;
  }

  static String answer(Prompt prompt) {
    var text = new StringBuilder(LABEL).append("这是本地离线演示的回答，没有调用大模型。");
    Book book = prompt.book();
    if (book == null || book.title() == null) {
      text.append("这本书（ISBN ").append(prompt.isbn()).append("）的书目信息还没有查到。");
    } else {
      text.append("《").append(book.title()).append("》");
      if (book.author() != null) {
        text.append("，作者 ").append(book.author());
      }
      if (book.publisher() != null) {
        text.append("，").append(book.publisher()).append(" 出版");
      }
      text.append("。");
      if (book.introduction() != null) {
        text.append("内容简介：").append(PromptBuilder.truncate(book.introduction(), 120));
      }
    }
    text.append("\n\n你的问题有 ")
        .append(prompt.question().length())
        .append(" 个字；配置 SHUZHI_LLM_API_KEY 后即可得到真正的回答。");
    return text.toString();
  }

  /** Two code points at a time, so an emoji's surrogate pair never splits. */
  static List<String> pieces(String text) {
    var pieces = new ArrayList<String>();
    int start = 0;
    while (start < text.length()) {
      int end =
          text.offsetByCodePoints(start, Math.min(2, text.codePointCount(start, text.length())));
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }

  /** Emits the prepared events one per delay; a close wakes a waiting reader at once. */
  private static final class OfflineStream implements ModelStream {

    private final Queue<ModelEvent> events;
    private final long delayNanos;
    private final CountDownLatch closed = new CountDownLatch(1);
    private long due;

    OfflineStream(Queue<ModelEvent> events, Duration delay) {
      this.events = events;
      this.delayNanos = delay.toNanos();
      this.due = System.nanoTime() + delayNanos;
    }

    @Override
    public ModelEvent next(Duration wait) throws ModelException {
      if (events.isEmpty()) {
        return ModelEvent.END;
      }
      long pause = Math.max(0, due - System.nanoTime());
      boolean silent = pause > wait.toNanos();
      try {
        if (closed.await(silent ? wait.toNanos() : pause, TimeUnit.NANOSECONDS)) {
          throw new ModelException(ModelException.Kind.CLOSED, "stream closed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModelException(ModelException.Kind.CLOSED, "interrupted");
      }
      if (silent) {
        return ModelEvent.SILENCE;
      }
      due = System.nanoTime() + delayNanos;
      return events.poll();
    }

    @Override
    public String model() {
      return MODEL;
    }

    @Override
    public String upstream() {
      return MODEL;
    }

    @Override
    public List<String> continuations() {
      return List.of();
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }
}
