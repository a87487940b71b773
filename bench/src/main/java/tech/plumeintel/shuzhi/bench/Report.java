package tech.plumeintel.shuzhi.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The run's results: one row a measure, the machine, and CPU per process per phase. */
final class Report {

  /** One row of the table; {@code pass} is null for a measure that has no goal of its own. */
  record Measure(
      String name,
      String goal,
      String result,
      @Nullable Boolean pass,
      String notes,
      Map<String, Object> data) {}

  private final List<Measure> measures = new ArrayList<>();
  private final Map<String, Object> machine = new LinkedHashMap<>();
  private final Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();
  private final Map<String, String> load = new LinkedHashMap<>();
  private final Instant started = Instant.now();
  private final boolean smoke;

  Report(boolean smoke) {
    this.smoke = smoke;
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put(
        "memory_gib",
        Math.round(
            ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize()
                / 1073741824.0));
    machine.put(
        "jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
  }

  void add(Measure measure) {
    measures.add(measure);
    System.out.println(
        "bench: "
            + measure.name()
            + ": "
            + measure.result()
            + (measure.pass() == null ? "" : measure.pass() ? " (pass)" : " (MISS)"));
  }

  void cpu(String phase, Map<String, Double> coresUsed) {
    cpu.put(phase, coresUsed);
    System.out.println("bench: CPU in " + phase + " (cores): " + coresUsed);
  }

  void load(String when) {
    try {
      var line = Files.readString(Path.of("/proc/loadavg")).trim();
      load.put(
          when, line.substring(0, line.indexOf(' ', line.indexOf(' ', line.indexOf(' ') + 1) + 1)));
    } catch (IOException | RuntimeException e) {
      load.put(when, "n/a");
    }
  }

  List<Measure> measures() {
    return measures;
  }

  void write(Path dir, String serviceJvmOptions) throws IOException {
    Files.createDirectories(dir);
    machine.put("service_jvm_options", serviceJvmOptions);
    var json = new LinkedHashMap<String, Object>();
    json.put("smoke", smoke);
    json.put("started", started.toString());
    json.put("seconds", (Instant.now().toEpochMilli() - started.toEpochMilli()) / 1000);
    json.put("machine", machine);
    json.put("load_average_1_5", load);
    json.put("measures", measures);
    json.put("cpu_cores_used_by_phase", cpu);
    JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build()
        .writeValue(dir.resolve("latest.json").toFile(), json);
    Files.writeString(dir.resolve("latest.md"), markdown());
  }

  String markdown() {
    var md = new StringBuilder();
    md.append("| Measure | Goal | Result | Pass | Notes |\n|---|---|---|---|---|\n");
    for (var m : measures) {
      md.append("| ")
          .append(m.name())
          .append(" | ")
          .append(m.goal())
          .append(" | ")
          .append(m.result())
          .append(" | ")
          .append(m.pass() == null ? "—" : m.pass() ? "pass" : "**miss**")
          .append(" | ")
          .append(m.notes())
          .append(" |\n");
    }
    md.append("\nMachine: ")
        .append(machine.get("cores"))
        .append(" cores, ")
        .append(machine.get("memory_gib"))
        .append(" GiB, ")
        .append(machine.get("jdk"))
        .append("; load average (1 min, 5 min) ")
        .append(load)
        .append(".\n");
    md.append("Run started ")
        .append(started)
        .append(smoke ? " (smoke mode: numbers mean nothing)" : "")
        .append(".\n\nCPU used per process, in cores (1.0 = one core busy), by phase:\n\n");
    var roles = cpu.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList();
    md.append("| Phase | ").append(String.join(" | ", roles)).append(" |\n|---|");
    roles.forEach(r -> md.append("---|"));
    md.append("\n");
    cpu.forEach(
        (phase, used) -> {
          md.append("| ").append(phase);
          roles.forEach(r -> md.append(" | ").append(used.getOrDefault(r, 0.0)));
          md.append(" |\n");
        });
    return md.toString();
  }

  static String ms(double micros) {
    return micros < 10_000
        ? String.format("%.2f ms", micros / 1000)
        : String.format("%.0f ms", micros / 1000);
  }

  static Map<String, Object> percentiles(AbstractHistogram h) {
    var p = new LinkedHashMap<String, Object>();
    p.put("count", h.getTotalCount());
    if (h.getTotalCount() > 0) {
      p.put("p50_us", h.getValueAtPercentile(50));
      p.put("p90_us", h.getValueAtPercentile(90));
      p.put("p99_us", h.getValueAtPercentile(99));
      p.put("p999_us", h.getValueAtPercentile(99.9));
      p.put("max_us", h.getMaxValue());
    }
    return p;
  }
}
