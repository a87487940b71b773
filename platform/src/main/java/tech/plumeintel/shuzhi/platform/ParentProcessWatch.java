package tech.plumeintel.shuzhi.platform;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
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

  private final long parentPid;
  private volatile @Nullable CompletableFuture<Void> watch;

  ParentProcessWatch(@Value("${shuzhi.platform.parent-pid}") long parentPid) {
    this.parentPid = parentPid;
  }

  @Override
  public void start() {
    var exited = exitOf(parentPid);
    // On a thread of its own: System.exit waits for Boot's shutdown hook, and that hook waits for a
    // context refresh under way (this start() is part of one).
    watch =
        exited.thenRunAsync(
            this::parentGone,
            task -> Thread.ofPlatform().daemon().name("parent-process-watch").start(task));
  }

  private static CompletableFuture<?> exitOf(long pid) {
    var process = ProcessHandle.of(pid);
    if (process.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (process.get().pid() == ProcessHandle.current().pid()) {
      // A service that is its own launcher outlives it; onExit() refuses the current process.
      return new CompletableFuture<>();
    }
    return process.get().onExit();
  }

  private void parentGone() {
    log.warn("Launcher process {} is gone; shutting down", parentPid);
    // Boot's shutdown hook closes the context gracefully, as on SIGTERM.
    System.exit(1);
  }

  @Override
  public void stop() {
    var current = watch;
    if (current != null) {
      current.cancel(false);
    }
    watch = null;
  }

  @Override
  public boolean isRunning() {
    return watch != null;
  }
}
