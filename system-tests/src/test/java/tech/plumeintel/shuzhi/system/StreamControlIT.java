package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.system.EventStream.Event;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/**
 * What a reader does to a stream under way, through the whole system: drops it and picks it up
 * again, presses stop, taps send twice.
 */
class StreamControlIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();
  private final Upstreams upstreams = system.upstreams;

  @Test
  void aReaderWhoDroppedMidStreamResumesWithExactlyTheEventsMissed() {
    var reader = system.login("reader-resume");
    var isbn = TestIsbns.next();
    upstreams.llm.when(
        "[resume]",
        new Behaviour.Replay(Upstreams.recordedChunks(Upstreams.REASONER), Duration.ofMillis(15)));
    var stream = reader.ask(isbn, "慢慢说[resume]");
    var requestId = stream.requestId();
    var beforeTheDrop = stream.next(20);
    stream.close();

    var resumed = reader.resume(requestId, beforeTheDrop.getLast().id());

    assertThat(resumed.status()).isEqualTo(200);
    var afterTheDrop = resumed.untilEnd();
    assertThat(afterTheDrop.getFirst().id()).isEqualTo(beforeTheDrop.getLast().id() + 1);
    assertThat(afterTheDrop.getLast().isDone()).isTrue();
    var seen = new ArrayList<>(beforeTheDrop);
    seen.addAll(afterTheDrop);
    assertThat(seen)
        .extracting(Event::id)
        .as("every event once, in order, none lost")
        .containsExactlyElementsOf(LongStream.rangeClosed(1, seen.size()).boxed().toList());
    var replayedFromTheStart = reader.resume(requestId, 0).untilEnd();
    assertThat(seen).containsExactlyElementsOf(replayedFromTheStart);
    assertThat(Answers.text(seen, "content")).isEqualTo(Answers.RECORDED_ANSWER);
  }

  @Test
  void theStopButtonClosesTheModelConnectionPromptlyAndEndsTheStream() {
    var reader = system.login("reader-stop");
    var isbn = TestIsbns.next();
    upstreams.llm.when(
        "[stop]", new Behaviour.Stall(Upstreams.recordedChunks(Upstreams.REASONER).subList(0, 6)));
    var stream = reader.ask(isbn, "说来话长[stop]");
    stream.next(5);

    long cancelledAt = System.nanoTime();
    var cancel = reader.cancel(stream.requestId());

    assertThat(cancel.status()).isEqualTo(200);
    // How fast is the bench's to measure; a broken cancel never closes the connection at all.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> upstreams.llm.closedAt("[stop]").isPresent());
    assertThat(upstreams.llm.closedAt("[stop]").orElseThrow()).isGreaterThan(cancelledAt);
    var rest = stream.untilEnd();
    assertThat(rest.getLast().isDone()).isTrue();
    assertThat(
            rest.get(rest.size() - 2)
                .json()
                .path("choices")
                .path(0)
                .path("finish_reason")
                .asString())
        .isEqualTo("cancelled");
    await().atMost(Duration.ofSeconds(2)).until(stream::closedByServer);
  }

  @Test
  void theSameMessageSentTwiceMakesOneGeneration() {
    var reader = system.login("reader-double-tap");
    var isbn = TestIsbns.next();
    upstreams.llm.when(
        "[double-tap]",
        new Behaviour.Replay(Upstreams.recordedChunks(Upstreams.REASONER), Duration.ofMillis(5)));

    var first = reader.ask(isbn, List.of("点了两次[double-tap]"), "tap-1", "text/event-stream");
    var second = reader.ask(isbn, List.of("点了两次[double-tap]"), "tap-1", "text/event-stream");

    assertThat(second.requestId()).isEqualTo(first.requestId());
    assertThat(second.untilEnd()).isEqualTo(first.untilEnd());
    assertThat(upstreams.llm.requestsContaining("[double-tap]")).hasSize(1);
  }
}
