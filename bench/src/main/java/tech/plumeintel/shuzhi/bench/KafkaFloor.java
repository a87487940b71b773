package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The floor of the Kafka hop on this machine, measured by Kafka's own {@code EndToEndLatency} tool
 * against the system's broker, in its own JVM: one record produced ({@code acks=all}), consumed,
 * the next sent, so the figure is the broker round trip and nothing of ours. The tool reports whole
 * milliseconds.
 */
final class KafkaFloor {

  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern PERCENTILES =
      Pattern.compile("50th = (\\d+), 99th = (\\d+), 99\\.9th = (\\d+)");
  private static final Pattern AVERAGE = Pattern.compile("Avg latency: ([0-9.]+) ms");

  /** Kafka's figures, in milliseconds. */
  record Floor(double averageMs, long p50Ms, long p99Ms, long p999Ms, int records) {
    Map<String, Object> data() {
      return Map.of(
          "tool", "org.apache.kafka.tools.EndToEndLatency (acks=all, 512 B records)",
          "records", records,
          "avg_ms", averageMs,
          "p50_ms", p50Ms,
          "p99_ms", p99Ms,
          "p999_ms", p999Ms);
    }
  }

  private KafkaFloor() {}

  static Floor measure(String bootstrap, int records) throws IOException, InterruptedException {
    // The bench's own class path serves the tool: the bench jar (whose manifest names the Kafka
    // tools' jars) when run by bench/run, the test class path under Failsafe.
    var classPath = System.getProperty("java.class.path");
    var process =
        new ProcessBuilder(
                List.of(
                    JAVA.toString(),
                    "-Xmx256m",
                    "-cp",
                    classPath,
                    "org.apache.kafka.tools.EndToEndLatency",
                    "--bootstrap-server",
                    bootstrap,
                    "--topic",
                    "bench.kafka-floor",
                    "--num-records",
                    Integer.toString(records),
                    "--producer-acks",
                    "all",
                    "--record-size",
                    "512"))
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("Kafka's EndToEndLatency failed: " + tail(output));
    }
    var percentiles = PERCENTILES.matcher(output);
    var average = AVERAGE.matcher(output);
    if (!percentiles.find() || !average.find()) {
      throw new IllegalStateException("unexpected EndToEndLatency output: " + tail(output));
    }
    return new Floor(
        Double.parseDouble(average.group(1)),
        Long.parseLong(percentiles.group(1)),
        Long.parseLong(percentiles.group(2)),
        Long.parseLong(percentiles.group(3)),
        records);
  }

  private static String tail(String output) {
    return output.substring(Math.max(0, output.length() - 600));
  }
}
