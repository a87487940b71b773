package tech.plumeintel.shuzhi.platform;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;

/**
 * Ends the service when the process that launched it is gone. The local run ({@code ./local/run})
 * sets {@code shuzhi.platform.parent-pid} to its own pid: a launcher killed outright runs no
 * shutdown hook, and its services would otherwise hold their ports until someone finds them.
 * Inactive unless the property is set, so never in Docker or production.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "shuzhi.platform", name = "parent-pid")
public class ParentProcessWatch implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ParentProcessWatch.class);
  private static final Duration PERIOD = Duration.ofMillis(500);

  private final long parentPid;
  private volatile Thread watcher;

  ParentProcessWatch(@Value("${shuzhi.platform.parent-pid}") long parentPid) {
    this.parentPid = parentPid;
  }

  @Override
  public void start() {
    var parent = ProcessHandle.of(parentPid);
    watcher =
        Thread.ofPlatform()
            .daemon()
            .name("parent-process-watch")
            .start(
                () -> {
                  try {
                    while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                      Thread.sleep(PERIOD);
                    }
                  } catch (InterruptedException stopped) {
                    return;
                  }
                  log.warn("Launcher process {} is gone; shutting down", parentPid);
                  // Boot's shutdown hook closes the context gracefully, as on SIGTERM.
                  System.exit(1);
                });
  }

  @Override
  public void stop() {
    var current = watcher;
    if (current != null) {
      current.interrupt();
    }
    watcher = null;
  }

  @Override
  public boolean isRunning() {
    return watcher != null;
  }
}
