package tech.plumeintel.shuzhi.api.hostile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;

/** {@code target/corpus-report.md}: per group, how many cases, how many passed, and what failed. */
final class CorpusReport {

  private CorpusReport() {}

  static void write(Path file, List<BadInputCorpusIT.CaseResult> results, String storedState)
      throws IOException {
    var groups = new LinkedHashMap<String, List<BadInputCorpusIT.CaseResult>>();
    results.forEach(r -> groups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r));
    var passed = results.stream().filter(BadInputCorpusIT.CaseResult::passed).count();
    var text =
        new StringBuilder("# Hostile-input corpus\n\n")
            .append(results.size())
            .append(" requests in ")
            .append(groups.size())
            .append(" groups, ")
            .append(passed)
            .append(" passed, ")
            .append(results.size() - passed)
            .append(" failed.\n\n")
            .append("Stored data over the whole run: ")
            .append(storedState)
            .append("\n\n")
            .append("| group | cases | passed | statuses |\n|---|---:|---:|---|\n");
    groups.forEach(
        (group, members) -> {
          var statuses = new TreeMap<Integer, Integer>();
          members.forEach(r -> statuses.merge(r.status(), 1, Integer::sum));
          text.append("| ")
              .append(group)
              .append(" | ")
              .append(members.size())
              .append(" | ")
              .append(members.stream().filter(BadInputCorpusIT.CaseResult::passed).count())
              .append(" | ")
              .append(
                  statuses.entrySet().stream().map(e -> e.getKey() + "×" + e.getValue()).toList())
              .append(" |\n");
        });
    text.append("\n| endpoint (CONTRACT §1) | cases |\n|---|---:|\n");
    var perEndpoint = new TreeMap<String, Integer>();
    results.forEach(r -> perEndpoint.merge(r.endpoint(), 1, Integer::sum));
    BadInputCorpusIT.CONTRACT_ENDPOINTS.forEach(
        e ->
            text.append("| `")
                .append(e)
                .append("` | ")
                .append(perEndpoint.getOrDefault(e, 0))
                .append(" |\n"));
    var elsewhere =
        results.stream()
            .filter(r -> !BadInputCorpusIT.CONTRACT_ENDPOINTS.contains(r.endpoint()))
            .count();
    text.append("| other methods and targets (wrong methods, unknown paths, raw request lines) | ")
        .append(elsewhere)
        .append(" |\n");
    var failures = results.stream().filter(r -> !r.passed()).toList();
    if (!failures.isEmpty()) {
      text.append("\n## Failures\n\n");
      failures.forEach(
          r ->
              text.append("- ")
                  .append(r.group())
                  .append('/')
                  .append(r.name())
                  .append(": ")
                  .append(String.join("; ", r.problems()))
                  .append('\n'));
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
