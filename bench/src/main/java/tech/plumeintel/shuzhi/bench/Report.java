package tech.plumeintel.shuzhi.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.AbstractHistogram;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The run's results: one row a measure, the machine, and CPU per process per phase. */
final class Report {

  /**
   * One row of the table; {@code pass} is null for a measure that has no goal of its own. {@code
   * figure} is the number the goal judges (in {@code unit}); repeated runs are ranked by it, and
   * its spread over the runs is shown beside the median run.
   */
  record Measure(
      String name,
      String goal,
      String result,
      @Nullable Boolean pass,
      String notes,
      Map<String, Object> data,
      double figure,
      String unit) {

    Measure(
        String name,
        String goal,
        String result,
        @Nullable Boolean pass,
        String notes,
        Map<String, Object> data) {
      this(name, goal, result, pass, notes, data, Double.NaN, "");
    }
  }

  /** Every run's measures, in the order the phases ran; the table shows the median run of each. */
  private final List<List<Measure>> runs = new ArrayList<>(List.of(new ArrayList<>()));

  private final Map<String, Object> machine = new LinkedHashMap<>();
  private final Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();
  private final Map<String, String> load = new LinkedHashMap<>();
  private final Map<String, String> changedSettings = new LinkedHashMap<>();
  private LoggedProblems logged = new LoggedProblems();
  private final Map<String, String> warmUps = new LinkedHashMap<>();
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

  /** What the services logged at WARN and ERROR during the run. */
  void logged(LoggedProblems problems) {
    logged = problems;
  }

  /** How a warm-up went (the chat warm-up before the phases, a phase's own). */
  void warmUp(String name, String outcome) {
    var key = ofThisRun(name);
    warmUps.put(key, outcome);
    System.out.println("bench: " + key + ": " + outcome);
  }

  /** A setting the bench gives the system that differs from its default, and why. */
  void changedSetting(String setting, String why) {
    changedSettings.put(setting, why);
  }

  /** The phases run again: what is added from now on belongs to the next run. */
  void nextRun() {
    runs.add(new ArrayList<>());
  }

  void add(Measure measure) {
    runs.getLast().add(measure);
    System.out.println(
        "bench: "
            + measure.name()
            + ": "
            + measure.result()
            + (measure.pass() == null ? "" : measure.pass() ? " (pass)" : " (MISS)"));
  }

  void cpu(String phase, Map<String, Double> coresUsed) {
    cpu.put(ofThisRun(phase), coresUsed);
    System.out.println("bench: CPU in " + phase + " (cores): " + coresUsed);
  }

  /** A name as this run's: the second run's and later ones' say which run they are. */
  private String ofThisRun(String name) {
    return runs.size() > 1 ? name + " (run " + runs.size() + ")" : name;
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

  /**
   * One row per measure: with several runs, the run whose figure is the median (the lower of the
   * two middle ones for an even count), its result followed by the figure's spread over all runs.
   */
  List<Measure> measures() {
    var byName = new LinkedHashMap<String, List<Measure>>();
    runs.forEach(
        run -> run.forEach(m -> byName.computeIfAbsent(m.name(), n -> new ArrayList<>()).add(m)));
    var medians = new ArrayList<Measure>();
    byName.forEach(
        (name, all) -> {
          if (all.size() == 1 || Double.isNaN(all.getFirst().figure())) {
            medians.add(all.getFirst());
            return;
          }
          var ranked = new ArrayList<>(all);
          ranked.sort(Comparator.comparingDouble(Measure::figure));
          var median = ranked.get((ranked.size() - 1) / 2);
          long passed = all.stream().filter(m -> Boolean.TRUE.equals(m.pass())).count();
          var data = new LinkedHashMap<String, Object>(median.data());
          data.put("runs", all.size());
          data.put("figures_by_run", all.stream().map(Measure::figure).toList());
          medians.add(
              new Measure(
                  name,
                  median.goal(),
                  median.result()
                      + String.format(
                          " — median of %d runs; %s over the runs %s–%s (%d of %d passed)",
                          all.size(),
                          median.unit(),
                          figure(ranked.getFirst().figure()),
                          figure(ranked.getLast().figure()),
                          passed,
                          all.size()),
                  median.pass(),
                  median.notes(),
                  data,
                  median.figure(),
                  median.unit()));
        });
    return medians;
  }

  private static String figure(double value) {
    return value >= 100 ? String.format("%,.0f", value) : String.format("%.2f", value);
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
    json.put("settings_changed_from_default", changedSettings);
    json.put("warm_ups", warmUps);
    json.put("measures", measures());
    json.put("runs", runs);
    json.put("cpu_cores_used_by_phase", cpu);
    json.put("logged_by_the_services", logged.data());
    JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build()
        .writeValue(dir.resolve("latest.json").toFile(), json);
    // Every run is kept, not only the latest: a figure is judged across runs, never from one.
    var kept = dir.resolve("runs");
    Files.createDirectories(kept);
    Files.copy(
        dir.resolve("latest.json"),
        kept.resolve(started.toString().replace(':', '-') + (smoke ? "-smoke" : "") + ".json"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("latest.md"), markdown());
  }

  String markdown() {
    var md = new StringBuilder();
    md.append("| Measure | Goal | Result | Pass | Notes |\n|---|---|---|---|---|\n");
    for (var m : measures()) {
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
        .append(".\n\nWarm-ups (not counted):\n\n");
    warmUps.forEach(
        (name, outcome) -> md.append("- ").append(name).append(": ").append(outcome).append("\n"));
    md.append("\nSettings the bench changes from their defaults:\n\n");
    changedSettings.forEach(
        (setting, why) -> md.append("- `").append(setting).append("`: ").append(why).append("\n"));
    md.append(logged.markdown());
    md.append("\nCPU used per process, in cores (1.0 = one core busy), by phase:\n\n");
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
