package tech.plumeintel.shuzhi.chat.takeover;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * One thread per worker that renews the leases of its streams (every third of the lease) and, every
 * scan interval, claims the streams whose worker died and hands them to a stream slot to be
 * continued. Redis being away only delays both: a lease lapses no sooner than its worker stops
 * renewing it.
 */
@Component
class LapsedStreams implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LapsedStreams.class);
  private static final int MOST_AT_ONCE = 20;

  private final Leases leases;
  private final StreamContinuer continuer;
  private final TakeoverProperties properties;
  private volatile boolean running;
  private volatile Thread thread;

  LapsedStreams(Leases leases, StreamContinuer continuer, TakeoverProperties properties) {
    this.leases = leases;
    this.continuer = continuer;
    this.properties = properties;
  }

  @Override
  public void start() {
    if (!properties.enabled()) {
      return;
    }
    running = true;
    thread = Thread.ofVirtual().name("stream-leases").start(this::loop);
  }

  @Override
  public void stop() {
    running = false;
    var current = thread;
    if (current != null) {
      current.interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void loop() {
    var renewEvery = properties.lease().dividedBy(3);
    long nextScan = 0;
    while (running) {
      try {
        var lost = leases.renew();
        if (!lost.isEmpty()) {
          log.warn("{} stream lease(s) were taken over by another worker", lost.size());
        }
        if (System.nanoTime() >= nextScan) {
          nextScan = System.nanoTime() + properties.scanInterval().toNanos();
          scan();
        }
      } catch (RuntimeException e) {
        log.warn("Stream leases not renewed or scanned: {}", e.toString());
      }
      try {
        Thread.sleep(min(renewEvery, properties.scanInterval()));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void scan() {
    int free = Math.min(MOST_AT_ONCE, continuer.freeSlots());
    if (free <= 0) {
      return;
    }
    for (var claimed : leases.claimLapsed(free)) {
      var job = leases.job(claimed.requestId());
      if (job.isEmpty()) {
        log.info("Stream {} lapsed without its job: dropped", claimed.requestId());
        leases.release(claimed.requestId());
        continue;
      }
      var resumption =
          Resumption.read(
              job.get(), leases.log(claimed.requestId()), claimed.takeovers(), leases.workerId());
      if (resumption.ended()) {
        leases.release(claimed.requestId());
        continue;
      }
      log.info(
          "Stream {} lost its worker after frame {}: continuing here (takeover {})",
          claimed.requestId(),
          resumption.lastSeq(),
          claimed.takeovers());
      if (!continuer.tryContinue(resumption)) {
        leases.giveBack(claimed.requestId());
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
