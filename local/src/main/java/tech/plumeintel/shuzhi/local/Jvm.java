package tech.plumeintel.shuzhi.local;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Command lines for child JVMs, run by the same Java as the launcher. */
final class Jvm {

  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private Jvm() {}

  /**
   * The options in the environment variable {@code variable}, split at white space, in place of
   * {@code defaults}; the defaults when it is unset or blank.
   */
  static List<String> options(String variable, List<String> defaults) {
    var custom = System.getenv(variable);
    if (custom == null || custom.isBlank()) {
      return defaults;
    }
    return Arrays.asList(custom.strip().split("\\s+"));
  }

  /** A main class from the launcher's own classpath (the jar's manifest brings lib/*.jar along). */
  static List<String> main(List<String> options, String mainClass, String... args) {
    var classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(entry -> Path.of(entry).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    var command = new ArrayList<String>();
    command.add(JAVA.toString());
    command.addAll(options);
    command.addAll(List.of("-cp", classpath, mainClass));
    command.addAll(List.of(args));
    return command;
  }

  /** An executable jar. */
  static List<String> jar(List<String> options, Path jar, String... args) {
    var command = new ArrayList<String>();
    command.add(JAVA.toString());
    command.addAll(options);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    return command;
  }
}
