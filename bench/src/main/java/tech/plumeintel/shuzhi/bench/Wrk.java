package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A well-known load generator beside the bench's own client: {@code wrk} (Debian's package), one
 * thread and 48 connections, asking for the same books as the same readers through a Lua script.
 * Absent from the machine, it is skipped and the report says so.
 */
final class Wrk {

  private static final Pattern PER_SECOND = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("\\n\\s+50%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern P99 = Pattern.compile("\\n\\s+99%\\s+([0-9.]+)(us|ms|s)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final int SCRIPTED_DRAWS = 100_000;

  private Wrk() {}

  static Optional<Map<String, Object>> lookups(
      URI api, List<String> paths, Popularity popularity, List<String> readers, int seconds)
      throws IOException, InterruptedException {
    var wrk = installed();
    if (wrk.isEmpty()) {
      System.out.println("bench: wrk is not installed; the throughput phase runs without it");
      return Optional.empty();
    }
    var script = Files.createTempFile("shuzhi-bench-wrk-", ".lua");
    try {
      Files.writeString(script, script(paths, popularity, readers), StandardCharsets.UTF_8);
      var process =
          new ProcessBuilder(
                  wrk.get(),
                  "-t1",
                  "-c48",
                  "-d" + seconds + "s",
                  "--latency",
                  "-s",
                  script.toString(),
                  api.toString())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(seconds + 60L, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        System.out.println("bench: wrk failed: " + output);
        return Optional.empty();
      }
      var result = new LinkedHashMap<String, Object>();
      result.put("threads", 1);
      result.put("connections", 48);
      result.put("per_second", number(PER_SECOND, output));
      result.put("p50_us", micros(P50, output));
      result.put("p99_us", micros(P99, output));
      var non2xx = NON_2XX.matcher(output);
      result.put("non_2xx", non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0L);
      System.out.println("bench: wrk: " + result);
      return Optional.of(result);
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static Optional<String> installed() {
    for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      var candidate = Path.of(dir, "wrk");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  /** The readers' tokens and the first draws of the popularity curve, as Lua tables. */
  static String script(List<String> paths, Popularity popularity, List<String> readers) {
    var lua = new StringBuilder("local paths = {");
    paths.forEach(p -> lua.append('"').append(p).append("\","));
    lua.append("}\nlocal tokens = {");
    readers.forEach(t -> lua.append('"').append(t).append("\","));
    lua.append("}\nlocal draws = {");
    for (int n = 0; n < SCRIPTED_DRAWS; n++) {
      lua.append(popularity.book(n) + 1).append(',');
    }
    lua.append(
        """
        }
        local n = 0
        request = function()
          n = n + 1
          local reader = n % #tokens
          local headers = {}
          headers["Authorization"] = "Bearer " .. tokens[reader + 1]
          headers["X-Forwarded-For"] = "198.19." .. (math.floor(reader / 250) % 250) .. "." .. (reader % 250 + 1)
          return wrk.format("GET", paths[draws[(n % #draws) + 1]], headers)
        end
        """);
    return lua.toString();
  }

  private static double number(Pattern pattern, String output) {
    var m = pattern.matcher(output);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static long micros(Pattern pattern, String output) {
    var m = pattern.matcher(output);
    if (!m.find()) {
      return -1;
    }
    double value = Double.parseDouble(m.group(1));
    return Math.round(
        switch (m.group(2)) {
          case "us" -> value;
          case "ms" -> value * 1_000;
          default -> value * 1_000_000;
        });
  }
}
