package tech.plumeintel.shuzhi.chat.moderation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.llm.ModelEvent;
import tech.plumeintel.shuzhi.chat.llm.ModelStream;
import tech.plumeintel.shuzhi.platform.wechat.Verdict;

class ModeratedStreamTest {

  final List<String> checked = new ArrayList<>();

  @Test
  void eventsPassThroughAndTheTextIsCheckedInWindowsAndAtTheEnd() throws Exception {
    var model =
        new Scripted(
            new ModelEvent.Reasoning("想一想。"),
            new ModelEvent.Content("abcdefghij"),
            new ModelEvent.Content("klmnop"),
            new ModelEvent.Content("qr"),
            new ModelEvent.Finished("stop"));
    var stream = moderated(model, text -> Verdict.PASS, false, 10);

    var events = drain(stream);

    assertThat(events).hasSize(6).endsWith(ModelEvent.END);
    assertThat(String.join("", checked))
        .as("every character is checked")
        .contains("想一想。abcdefghij")
        .contains("klmnopqr");
    assertThat(checked.get(1))
        .as("a window carries the end of the one before")
        .startsWith("想一想。abc");
    assertThat(checked).hasSize(2);
  }

  @Test
  void aRiskyWindowStopsTheGenerationAndWithholdsTheAnswer() throws Exception {
    var model =
        new Scripted(
            new ModelEvent.Content("一段正常的话，"),
            new ModelEvent.Content("然后是危险的内容"),
            new ModelEvent.Content("还有更多"),
            new ModelEvent.Content("还有更多更多"));
    var stream =
        moderated(model, t -> t.contains("危险") ? new Verdict.Risky(20001) : Verdict.PASS, false, 8);

    assertThat(stream.next(Duration.ZERO)).isInstanceOf(ModelEvent.Content.class);
    assertThat(stream.next(Duration.ZERO)).isInstanceOf(ModelEvent.Content.class);

    assertThatThrownBy(() -> stream.next(Duration.ZERO))
        .isInstanceOfSatisfying(
            AnswerWithheld.class, e -> assertThat(e.code()).isEqualTo("CONTENT_REJECTED"));
    assertThat(model.closed).as("the upstream generation is stopped").isTrue();
  }

  @Test
  void aRiskyEndIsNeverPassedOnAsTheEnd() {
    var model = new Scripted(new ModelEvent.Content("短而危险"));
    var stream =
        moderated(
            model, t -> t.contains("危险") ? new Verdict.Risky(20001) : Verdict.PASS, false, 500);

    assertThatThrownBy(() -> drain(stream)).isInstanceOf(AnswerWithheld.class);
  }

  @Test
  void anUncheckedAnswerPassesWhenFailOpenAndIsWithheldWhenFailClosed() throws Exception {
    Function<String, Verdict> down = t -> new Verdict.Unchecked("http");

    assertThat(drain(moderated(new Scripted(new ModelEvent.Content("你好")), down, false, 500)))
        .endsWith(ModelEvent.END);
    assertThatThrownBy(
            () -> drain(moderated(new Scripted(new ModelEvent.Content("你好")), down, true, 500)))
        .isInstanceOfSatisfying(
            AnswerWithheld.class, e -> assertThat(e.code()).isEqualTo("UPSTREAM_ERROR"));
  }

  private ModeratedStream moderated(
      ModelStream model, Function<String, Verdict> verdicts, boolean failClosed, int window) {
    Function<String, Verdict> recording =
        text -> {
          checked.add(text);
          return verdicts.apply(text);
        };
    // Checks run on the calling thread: the order of verdicts is the test's, not a scheduler's.
    return new ModeratedStream(model, recording, review -> {}, failClosed, Runnable::run, window);
  }

  private static List<ModelEvent> drain(ModelStream stream) throws Exception {
    var events = new ArrayList<ModelEvent>();
    while (true) {
      var event = stream.next(Duration.ZERO);
      events.add(event);
      if (event instanceof ModelEvent.End) {
        return events;
      }
    }
  }

  /** A model that says these events, then ends. */
  static final class Scripted implements ModelStream {
    final ArrayDeque<ModelEvent> events;
    boolean closed;

    Scripted(ModelEvent... events) {
      this.events = new ArrayDeque<>(List.of(events));
    }

    @Override
    public ModelEvent next(Duration wait) {
      return events.isEmpty() ? ModelEvent.END : events.poll();
    }

    @Override
    public String model() {
      return "scripted";
    }

    @Override
    public String upstream() {
      return "primary";
    }

    @Override
    public List<String> continuations() {
      return List.of();
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
