package tech.plumeintel.shuzhi.chat.moderation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.plumeintel.shuzhi.chat.llm.ModelEvent;
import tech.plumeintel.shuzhi.chat.llm.ModelException;
import tech.plumeintel.shuzhi.chat.llm.ModelStream;
import tech.plumeintel.shuzhi.platform.wechat.Verdict;

/**
 * A generation whose shown text (thinking and answer) is checked while it streams. Tokens pass
 * through at once; each time {@code window} new characters have passed, they are checked in the
 * background (with the last few characters before them, so that a phrase cut by a window's edge is
 * still seen whole). The stream never runs more than one window ahead of its checks: a window that
 * fills while the previous one is still being checked waits for that verdict, so no token is held
 * back longer than one check. The end is passed on only after the last window's verdict.
 *
 * <p>A verdict that withholds the answer closes the upstream generation at once (a blocked {@link
 * #next} returns) and the next call throws {@link AnswerWithheld}.
 */
final class ModeratedStream implements ModelStream {

  private static final Logger log = LoggerFactory.getLogger(ModeratedStream.class);

  /** Characters of the previous window checked again with the next. */
  static final int OVERLAP = 32;

  private final ModelStream inner;
  private final Function<String, Verdict> check;
  private final Consumer<Verdict> onReview;
  private final boolean failClosed;
  private final Executor executor;
  private final int window;
  private final StringBuilder unchecked = new StringBuilder();
  private String overlap = "";
  private @Nullable CompletableFuture<Void> inFlight;
  private volatile @Nullable AnswerWithheld withheld;
  private boolean endChecked;

  ModeratedStream(
      ModelStream inner,
      Function<String, Verdict> check,
      Consumer<Verdict> onReview,
      boolean failClosed,
      Executor executor,
      int window) {
    this.inner = inner;
    this.check = check;
    this.onReview = onReview;
    this.failClosed = failClosed;
    this.executor = executor;
    this.window = window;
  }

  @Override
  public ModelEvent next(Duration wait) throws ModelException {
    throwIfWithheld();
    ModelEvent event;
    try {
      event = inner.next(wait);
    } catch (ModelException e) {
      // Closed because a verdict withheld the answer, not because the model failed.
      throwIfWithheld();
      throw e;
    }
    switch (event) {
      case ModelEvent.Reasoning reasoning -> passed(reasoning.text());
      case ModelEvent.Content content -> passed(content.text());
      case ModelEvent.End ignored -> ended();
      default -> {}
    }
    return event;
  }

  private void passed(String text) {
    unchecked.append(text);
    if (unchecked.length() >= window) {
      awaitInFlight();
      submit();
    }
  }

  private void ended() {
    if (endChecked) {
      return;
    }
    endChecked = true;
    if (!unchecked.isEmpty()) {
      submit();
    }
    awaitInFlight();
  }

  private void submit() {
    var text = overlap + unchecked;
    overlap = unchecked.substring(Math.max(0, unchecked.length() - OVERLAP));
    unchecked.setLength(0);
    inFlight = CompletableFuture.runAsync(() -> judge(checked(text)), executor);
  }

  /** A check that broke unexpectedly is one that could not be made, not a stuck stream. */
  private Verdict checked(String text) {
    try {
      return check.apply(text);
    } catch (RuntimeException e) {
      log.warn("An answer check broke: {}", e.getClass().getSimpleName());
      return new Verdict.Unchecked("error");
    }
  }

  private void judge(Verdict verdict) {
    switch (verdict) {
      case Verdict.Pass ignored -> {}
      case Verdict.Review review -> onReview.accept(review);
      case Verdict.Risky ignored -> withhold(AnswerWithheld.rejected());
      case Verdict.Unchecked ignored -> {
        if (failClosed) {
          withhold(AnswerWithheld.unchecked());
        }
      }
    }
  }

  private void withhold(AnswerWithheld reason) {
    if (withheld == null) {
      withheld = reason;
      inner.close();
    }
  }

  private void awaitInFlight() {
    var pending = inFlight;
    if (pending != null) {
      pending.join();
      inFlight = null;
    }
    throwIfWithheld();
  }

  private void throwIfWithheld() {
    var reason = withheld;
    if (reason != null) {
      throw reason;
    }
  }

  @Override
  public String model() {
    return inner.model();
  }

  @Override
  public String upstream() {
    return inner.upstream();
  }

  @Override
  public List<String> continuations() {
    return inner.continuations();
  }

  @Override
  public void close() {
    inner.close();
  }
}
