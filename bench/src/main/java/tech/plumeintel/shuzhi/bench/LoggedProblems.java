package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the services logged at WARN and ERROR during the run, counted per service and per message
 * (ids and numbers masked, so one cause is one line). A run whose figures look fine can still have
 * lost work: a bound on MongoDB's pool wait once passed every phase while the chat-worker dropped
 * 10,570 history records, which only its log said.
 */
final class LoggedProblems {

  /** Spring Boot's console line: level, pid, "---", [application], [thread], logger, message. */
  private static final Pattern LINE =
      Pattern.compile(" (WARN|ERROR) +\\d+ --- \\[([^\\]]+)\\] \\[[^\\]]*\\] (\\S+) *: ?(.*)$");

  // A request or task id: 16 or more id characters, a digit among them (an exception's name has
  // none).
  private static final Pattern ID =
      Pattern.compile("(?<![A-Za-z0-9_-])(?=[A-Za-z_-]*\\d)[A-Za-z0-9_-]{16,}");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final int MESSAGE_CHARS = 160;
  private static final int MESSAGES_SHOWN = 8;

  /** Lines per "level service", and per "level service logger: message". */
  private final Map<String, Long> perService = new TreeMap<>();

  private final Map<String, Long> perMessage = new LinkedHashMap<>();

  static LoggedProblems of(List<Path> logs) {
    var problems = new LoggedProblems();
    for (var log : logs) {
      try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
        lines.forEach(problems::add);
      } catch (IOException | UncheckedIOException e) {
        problems.add(" WARN 0 --- [bench] [main] bench : log not read: " + log.getFileName());
      }
    }
    return problems;
  }

  void add(String line) {
    var match = LINE.matcher(line);
    if (!match.find()) {
      return;
    }
    var level = match.group(1);
    var service = match.group(2).trim();
    perService.merge(level + " " + service, 1L, Long::sum);
    var message = NUMBER.matcher(ID.matcher(match.group(4)).replaceAll("…")).replaceAll("N");
    if (message.length() > MESSAGE_CHARS) {
      message = message.substring(0, MESSAGE_CHARS) + "…";
    }
    perMessage.merge(
        level + " " + service + " " + shortLogger(match.group(3)) + ": " + message, 1L, Long::sum);
  }

  long errors() {
    return perService.entrySet().stream()
        .filter(e -> e.getKey().startsWith("ERROR "))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  Map<String, Object> data() {
    var data = new LinkedHashMap<String, Object>();
    data.put("lines_per_level_and_service", perService);
    data.put("most_frequent", mostFrequent());
    return data;
  }

  /** ERROR first, then WARN; within each, the most frequent first. */
  List<String> mostFrequent() {
    var entries = new ArrayList<>(perMessage.entrySet());
    entries.sort(
        (a, b) -> {
          boolean aError = a.getKey().startsWith("ERROR");
          boolean bError = b.getKey().startsWith("ERROR");
          if (aError != bError) {
            return aError ? -1 : 1;
          }
          return Long.compare(b.getValue(), a.getValue());
        });
    return entries.stream()
        .limit(MESSAGES_SHOWN)
        .map(e -> String.format("%,d × %s", e.getValue(), e.getKey()))
        .toList();
  }

  String markdown() {
    if (perService.isEmpty()) {
      return "\nThe services logged nothing at WARN or ERROR.\n";
    }
    var md = new StringBuilder("\nWhat the services logged at WARN and ERROR (lines): ");
    var counts = new ArrayList<String>();
    perService.forEach((key, count) -> counts.add(String.format("%s %,d", key, count)));
    md.append(String.join(", ", counts)).append(". Most frequent:\n\n");
    mostFrequent().forEach(line -> md.append("- ").append(line).append('\n'));
    return md.toString();
  }

  private static String shortLogger(String logger) {
    return logger.substring(logger.lastIndexOf('.') + 1);
  }
}
