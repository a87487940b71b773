package tech.plumeintel.shuzhi.local;

import java.util.concurrent.CompletableFuture;

/**
 * Ends this JVM when the launcher that started it is gone. A launcher killed with SIGKILL runs no
 * shutdown hook, and its children would otherwise keep the ports, and the data files, forever.
 */
final class ParentWatch {

  /**
   * The launcher passes its pid to every child under this name (system property or environment).
   */
  static final String PARENT_PID = "shuzhi.platform.parent-pid";

  static final String PARENT_PID_ENV = "SHUZHI_PLATFORM_PARENT_PID";

  private ParentWatch() {}

  static void startFromEnvironment() {
    var pid = System.getenv(PARENT_PID_ENV);
    if (pid == null || pid.isBlank()) {
      return;
    }
    ProcessHandle.of(Long.parseLong(pid.strip()))
        .map(ProcessHandle::onExit)
        .orElseGet(() -> CompletableFuture.completedFuture(null))
        // On a thread of its own, so that the shutdown hooks System.exit runs never wait on it.
        .thenRunAsync(
            () -> {
              System.err.println("The launcher (pid " + pid + ") is gone; stopping.");
              System.exit(1);
            },
            task -> Thread.ofPlatform().daemon().name("parent-watch").start(task));
  }
}
