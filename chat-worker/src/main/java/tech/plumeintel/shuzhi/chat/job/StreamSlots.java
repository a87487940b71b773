package tech.plumeintel.shuzhi.chat.job;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.chat.llm.LlmProperties;
import tech.plumeintel.shuzhi.chat.stream.StreamProperties;
import tech.plumeintel.shuzhi.chat.takeover.Resumption;
import tech.plumeintel.shuzhi.chat.takeover.StreamContinuer;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/**
 * A bounded number of concurrent streams, each on its own virtual thread, so one slow stream delays
 * no other. When every slot is taken the job listener's container is paused, not blocked: a paused
 * consumer keeps polling (and so keeps its partitions and group membership) but fetches nothing;
 * polls bring one job each, so no job is left waiting on the consumer thread. It resumes as soon as
 * a stream ends. The semaphore stays as the hard limit.
 */
@Component
class StreamSlots implements DisposableBean, StreamContinuer {

  private static final Logger log = LoggerFactory.getLogger(StreamSlots.class);

  private final Semaphore slots;
  private final ChatGeneration generation;
  private final KafkaListenerEndpointRegistry listeners;
  private final ExecutorService threads =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("chat-stream-", 0).factory());
  private boolean paused;

  private final int maxStreams;
  private final Duration drain;

  StreamSlots(
      LlmProperties properties,
      ChatGeneration generation,
      KafkaListenerEndpointRegistry listeners,
      StreamProperties streams) {
    this.maxStreams = properties.maxConcurrentStreams();
    this.drain = streams.shutdownDrain();
    this.slots = new Semaphore(properties.maxConcurrentStreams());
    this.generation = generation;
    this.listeners = listeners;
  }

  /**
   * Generates the job on its own thread; waits for a slot only if a paused listener still calls.
   */
  void start(ChatRequested job) throws InterruptedException {
    slots.acquire();
    adjustListener();
    try {
      threads.execute(
          () -> {
            try {
              generation.run(job);
            } catch (RuntimeException e) {
              // The top of the stream's thread: nothing above it would report the failure.
              log.error("Stream thread failed", e);
            } finally {
              slots.release();
              adjustListener();
            }
          });
    } catch (RuntimeException e) {
      slots.release();
      adjustListener();
      throw e;
    }
  }

  @Override
  public int freeSlots() {
    return slots.availablePermits();
  }

  /** Continues a dead worker's stream on a slot of this worker, if one is free. */
  @Override
  public boolean tryContinue(Resumption resumption) {
    if (!slots.tryAcquire()) {
      return false;
    }
    adjustListener();
    try {
      threads.execute(
          () -> {
            try {
              generation.resume(resumption);
            } catch (RuntimeException e) {
              log.error("Stream thread failed", e);
            } finally {
              slots.release();
              adjustListener();
            }
          });
    } catch (RuntimeException e) {
      slots.release();
      adjustListener();
      return false;
    }
    return true;
  }

  /** Serialized, and decided from the current count, so a pause and a resume cannot cross. */
  private synchronized void adjustListener() {
    boolean full = slots.availablePermits() == 0;
    if (full == paused) {
      return;
    }
    MessageListenerContainer container = listeners.getListenerContainer(ChatJobListener.ID);
    if (container == null) {
      return;
    }
    if (full) {
      container.pause();
      log.info("All stream slots taken: job intake paused");
    } else {
      container.resume();
      log.info("A stream slot is free: job intake resumed");
    }
    paused = full;
  }

  /**
   * Lets the running streams finish (the listener has stopped taking jobs by now), for a while;
   * then interrupts the rest, which end with an error frame so their clients do not wait for the
   * API's timeout, and gives them a moment to write it before Redis is disconnected.
   */
  @Override
  public void destroy() throws InterruptedException {
    threads.shutdown();
    if (slots.availablePermits() < maxStreams) {
      log.info("Letting {} running streams finish", maxStreams - slots.availablePermits());
    }
    if (threads.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
      return;
    }
    threads.shutdownNow();
    if (!threads.awaitTermination(3, TimeUnit.SECONDS)) {
      log.warn("Streams still running at shutdown");
    }
  }
}
