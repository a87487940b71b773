package tech.plumeintel.shuzhi.chat.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tech.plumeintel.shuzhi.chat.llm.LlmProperties;
import tech.plumeintel.shuzhi.chat.stream.StreamProperties;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

class StreamSlotsTest {

  private final MessageListenerContainer container = mock(MessageListenerContainer.class);
  private final KafkaListenerEndpointRegistry registry = mock(KafkaListenerEndpointRegistry.class);
  private final ChatGeneration generation = mock(ChatGeneration.class);
  private final Map<String, CountDownLatch> running = new ConcurrentHashMap<>();
  private final AtomicInteger concurrent = new AtomicInteger();
  private final AtomicInteger mostConcurrent = new AtomicInteger();
  private StreamSlots slots;

  private StreamSlots slots(int limit) throws InterruptedException {
    when(registry.getListenerContainer(ChatJobListener.ID)).thenReturn(container);
    doAnswer(
            invocation -> {
              ChatRequested job = invocation.getArgument(0);
              mostConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
              running.computeIfAbsent(job.requestId(), id -> new CountDownLatch(1)).await();
              concurrent.decrementAndGet();
              return null;
            })
        .when(generation)
        .run(any());
    slots =
        new StreamSlots(
            new LlmProperties(
                URI.create("http://localhost"),
                "k",
                "m",
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                limit,
                0,
                Duration.ofMillis(1),
                null,
                null,
                null),
            generation,
            registry,
            new StreamProperties(
                Duration.ofSeconds(3), Duration.ofMinutes(10), null, Duration.ofSeconds(5)));
    return slots;
  }

  @Test
  void aStoppingWorkerLetsItsRunningStreamsFinish() throws Exception {
    var slots = slots(2);
    slots.start(job("draining"));
    await().until(() -> concurrent.get() == 1);
    var stopper =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    slots.destroy();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    stopper.join(300);
    assertThat(stopper.isAlive()).as("waits for the running stream").isTrue();

    running.get("draining").countDown();

    stopper.join(5_000);
    assertThat(stopper.isAlive()).isFalse();
    assertThat(concurrent.get()).isZero();
  }

  @AfterEach
  void stop() throws InterruptedException {
    running.values().forEach(CountDownLatch::countDown);
    slots.destroy();
  }

  private static ChatRequested job(String id) {
    return new ChatRequested(
        id,
        "u",
        "9787544253994",
        List.of(new ChatMessage(ChatMessage.Role.USER, "q")),
        Instant.EPOCH,
        Instant.EPOCH);
  }

  private void finish(String id) {
    running.computeIfAbsent(id, key -> new CountDownLatch(1)).countDown();
  }

  @Test
  void intakePausesWhenEverySlotIsTakenAndResumesWhenOneFrees() throws InterruptedException {
    var slots = slots(2);

    slots.start(job("a"));
    verify(container, never()).pause();
    slots.start(job("b"));
    verify(container).pause();

    finish("a");
    await().untilAsserted(() -> verify(container).resume());
    slots.start(job("c"));
    verify(container, times(2)).pause();
  }

  @Test
  void streamsRunConcurrentlyUpToTheLimitAndNeverBeyond() throws InterruptedException {
    var slots = slots(3);
    for (var id : List.of("a", "b", "c")) {
      slots.start(job(id));
    }
    await().until(() -> concurrent.get() == 3);

    var late =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    slots.start(job("d"));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    finish("b");

    late.join(Duration.ofSeconds(5));
    await().untilAsserted(() -> verify(generation).run(job("d")));
    assertThat(mostConcurrent.get()).isEqualTo(3);
  }
}
