package tech.plumeintel.shuzhi.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a JVM of its own, run from its runnable jar as in production, so that a test can
 * crash it for real: {@link #kill()} is {@code kill -9}, with no shutdown of any kind. Its output
 * goes to {@code target/worker-logs/}. Every worker still running when the test JVM exits is killed
 * then, whatever happened to the tests; {@code timeout} kills it after five minutes anyway.
 */
final class WorkerProcess implements AutoCloseable {

  private static final Set<WorkerProcess> RUNNING = ConcurrentHashMap.newKeySet();
  private static final Path TIMEOUT = Path.of("/usr/bin/timeout");
  private static final Duration MAX_LIFE = Duration.ofMinutes(5);

  static {
    Runtime.getRuntime()
        .addShutdownHook(Thread.ofPlatform().unstarted(() -> RUNNING.forEach(WorkerProcess::kill)));
  }

  private final String name;
  private final Process process;
  private final Path log;

  private WorkerProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the runnable jar of this application with these properties (as command-line arguments,
   * which beat its {@code application.yml} as the environment does in production).
   */
  static WorkerProcess start(String name, Class<?> application, Map<String, String> properties) {
    var command = new ArrayList<String>();
    if (Files.isExecutable(TIMEOUT)) {
      // A test JVM killed with SIGKILL runs no shutdown hook: the worker still ends in time.
      command.addAll(List.of(TIMEOUT.toString(), "--signal=KILL", MAX_LIFE.toSeconds() + "s"));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small and quick to start: it lives for one test on a machine shared with the test JVM.
    command.addAll(
        List.of(
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-jar",
            runnableJar(application).toString()));
    properties.forEach((key, value) -> command.add("--" + key + "=" + value));
    try {
      var logs = Files.createDirectories(Path.of("target", "worker-logs"));
      var log = logs.resolve(name + ".log");
      var process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      process.getOutputStream().close();
      var worker = new WorkerProcess(name, process, log);
      RUNNING.add(worker);
      return worker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * The {@code -exec} jar the Boot plugin builds next to the plain one that is on this classpath
   * (in the reactor, {@code <module>/target/}).
   */
  static Path runnableJar(Class<?> application) {
    Path plain;
    try {
      plain = Path.of(application.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    var target = plain.getParent();
    try (var files = Files.list(target)) {
      return files
          .filter(file -> file.getFileName().toString().endsWith("-exec.jar"))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no runnable jar of "
                          + application.getSimpleName()
                          + " in "
                          + target
                          + ": build it first (./mvnw verify -pl system-tests -am)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive() && process.descendants().allMatch(ProcessHandle::isAlive);
  }

  Path log() {
    return log;
  }

  /** A crash: SIGKILL, no shutdown hook, no goodbye to Kafka. Returns once the process is gone. */
  void kill() {
    // The JVM first: killing the timeout wrapper alone would leave it running.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RUNNING.remove(this);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    RUNNING.remove(this);
  }
}
