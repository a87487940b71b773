package tech.plumeintel.shuzhi.api.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.api.web.ErrorCode;
import tech.plumeintel.shuzhi.testsupport.HandClock;

class PickupBacklogTest {

  private final HandClock clock = new HandClock(Instant.parse("2026-12-06T06:00:00Z"));
  private final PickupBacklog backlog =
      new PickupBacklog(
          new ChatProperties(
              Duration.ofSeconds(15),
              Duration.ofSeconds(30),
              Duration.ofSeconds(15),
              Duration.ofMinutes(10),
              Duration.ofMinutes(5),
              Duration.ofHours(1),
              Duration.ofSeconds(3),
              Duration.ofSeconds(3),
              Duration.ofSeconds(5)),
          clock,
          new SimpleMeterRegistry());

  @Test
  void admitsWhileNoJobHasWaitedBusyAfter() {
    backlog.begin();
    clock.advance(Duration.ofMillis(4_999));

    assertThatCode(() -> backlog.requireRoom(() -> false)).doesNotThrowAnyException();
  }

  @Test
  void refusesWithModelErrorAndRetryAfterOnceTheOldestJobHasWaitedBusyAfter() {
    backlog.begin();
    clock.advance(Duration.ofSeconds(2));
    backlog.begin();
    clock.advance(Duration.ofSeconds(3));

    var refusal = catchThrowableOfType(ApiException.class, () -> backlog.requireRoom(() -> false));

    assertThat(refusal.code()).isEqualTo(ErrorCode.MODEL_ERROR);
    assertThat(refusal.retryAfter()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aChatThatAStreamAlreadyAnswersIsNotRefusedWhileTheWorkersAreBehind() {
    backlog.begin();
    clock.advance(Duration.ofSeconds(5));

    assertThatCode(() -> backlog.requireRoom(() -> true)).doesNotThrowAnyException();
  }

  @Test
  void whetherAStreamAnswersIsAskedOnlyWhileTheWorkersAreBehind() {
    // The question costs a round trip to Redis; a chat must not pay it while there is room.
    backlog.begin();
    clock.advance(Duration.ofSeconds(4));

    assertThatCode(
            () ->
                backlog.requireRoom(
                    () -> {
                      throw new AssertionError("asked while there was room");
                    }))
        .doesNotThrowAnyException();
  }

  @Test
  void onceTheOldestIsTakenTheNextOldestCounts() {
    var oldest = backlog.begin();
    clock.advance(Duration.ofSeconds(2));
    backlog.begin();
    clock.advance(Duration.ofSeconds(4));

    oldest.end();

    assertThat(backlog.oldestWait()).isEqualTo(4_000);
    assertThatCode(() -> backlog.requireRoom(() -> false)).doesNotThrowAnyException();
  }

  @Test
  void aWaitEndedTwiceEndsOnce() {
    var first = backlog.begin();
    backlog.begin();

    first.end();
    first.end();

    assertThat(backlog.waiting()).isEqualTo(1);
  }

  @Test
  void aWaitNeverEndedStopsCountingASecondAfterThePickupTimeout() {
    backlog.begin();
    clock.advance(Duration.ofSeconds(16));
    assertThat(catchThrowableOfType(ApiException.class, () -> backlog.requireRoom(() -> false)))
        .isNotNull();

    clock.advance(Duration.ofMillis(1));

    assertThatCode(() -> backlog.requireRoom(() -> false)).doesNotThrowAnyException();
    assertThat(backlog.waiting()).isZero();
  }
}
