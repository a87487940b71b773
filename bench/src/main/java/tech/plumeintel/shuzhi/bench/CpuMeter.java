package tech.plumeintel.shuzhi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** CPU seconds each process used between two readings, from {@code /proc/<pid>/stat}. */
final class CpuMeter {

  private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

  private final Map<String, ProcessHandle> processes;
  private final Map<String, Double> start = new LinkedHashMap<>();
  private long startNanos;

  CpuMeter(Map<String, ProcessHandle> processes) {
    this.processes = new LinkedHashMap<>(processes);
    this.processes.put("bench (load, book stand-in)", ProcessHandle.current());
  }

  CpuMeter begin() {
    startNanos = System.nanoTime();
    processes.forEach((role, handle) -> start.put(role, cpuSeconds(handle)));
    return this;
  }

  /** Per process, the share of one core it used since {@link #begin()} (1.0 = one whole core). */
  Map<String, Double> coresUsed() {
    double wall = (System.nanoTime() - startNanos) / 1e9;
    var used = new LinkedHashMap<String, Double>();
    processes.forEach(
        (role, handle) -> {
          double cores = (cpuSeconds(handle) - start.getOrDefault(role, 0.0)) / wall;
          used.put(role, Math.round(cores * 100) / 100.0);
        });
    return used;
  }

  private static double cpuSeconds(ProcessHandle handle) {
    try {
      var stat = Files.readString(Path.of("/proc/" + handle.pid() + "/stat"));
      var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the command: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return 0; // not Linux, or the process is gone
    }
  }
}
