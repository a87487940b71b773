package tech.plumeintel.shuzhi.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A process the launcher started; its output goes to the console, prefixed with its name. */
final class ChildProcess {

  private final String name;
  private final Process process;

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  static ChildProcess start(
      String name,
      List<String> command,
      Map<String, String> environment,
      Path directory,
      Console console) {
    var builder =
        new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    builder
        .environment()
        .put(ParentWatch.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
    Process process;
    try {
      process = builder.start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command.getFirst(), e);
    }
    var prefix = console.prefixFor(name);
    Thread.ofPlatform().daemon().name("log-" + name).start(() -> pump(process, prefix, console));
    return new ChildProcess(name, process);
  }

  private static void pump(Process process, String prefix, Console console) {
    try (var reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = reader.readLine()) != null; ) {
        console.line(prefix, line);
      }
    } catch (IOException e) {
      // The child is gone and its pipe with it; there is nothing left to print.
    }
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitValue() {
    return process.exitValue();
  }

  /** Waits for the child to end by itself, as a one-shot tool does. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      stop(Duration.ofSeconds(5));
      throw new IllegalStateException(
          name + " did not finish within " + timeout.toSeconds() + " s");
    }
    return process.exitValue();
  }

  /** Asks the child to stop (SIGTERM). */
  void requestStop() {
    if (process.isAlive()) {
      process.destroy();
    }
  }

  /**
   * Asks the child to stop and kills it, with whatever it started, if it has not within the grace.
   */
  void stop(Duration grace) {
    requestStop();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
