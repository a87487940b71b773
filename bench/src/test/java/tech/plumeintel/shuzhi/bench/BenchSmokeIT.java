package tech.plumeintel.shuzhi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every phase of the bench, at toy sizes, against the real launcher: proves the bench still runs
 * and that each measure saw its traffic get through. Timings are the bench's business, never a
 * test's: nothing here asserts one.
 */
class BenchSmokeIT {

  private static final Path LAUNCHER =
      Path.of(System.getProperty("shuzhi.local.jar", "../local/target/shuzhi-local.jar"));

  @TempDir Path out;

  @Test
  void smokeRunMeasuresEveryGoalWithAllTrafficAnswered() throws Exception {
    BenchRun.run(
        Scale.SMOKE,
        true,
        false,
        out,
        LAUNCHER,
        "ttft,security,relay,worker,open,lookup,miss",
        2,
        BenchRun.SERVICE_JVMS.get("production"));

    var json = JsonMapper.builder().build().readTree(out.resolve("latest.json").toFile());
    assertThat(Files.readString(out.resolve("latest.md"))).contains("| Measure | Goal |");
    assertThat(json.path("measures")).hasSize(9);
    assertThat(data(json, "time to first token").path("failed").asInt()).isZero();
    assertThat(data(json, "time to first token").path("through_api").path("count").asInt())
        .isEqualTo(Scale.SMOKE.ttftChats());
    assertThat(data(json, "time to first token").path("trivial_endpoint").path("count").asInt())
        .isEqualTo(Scale.SMOKE.ttftChats());
    // Every question through the instance with content security on was checked by the stand-in.
    var questionCheck = data(json, "question check");
    assertThat(questionCheck.path("failed").asInt()).isZero();
    assertThat(questionCheck.path("checks_answered_by_the_stand_in").asLong())
        .isGreaterThanOrEqualTo(Scale.SMOKE.ttftChats());
    assertThat(questionCheck.path("checks_off").path("count").asInt())
        .isEqualTo(Scale.SMOKE.ttftChats());
    // The relay alone (the bench writing frames as the chat-worker does) and end to end.
    var relayed = data(json, "tokens/s relayed");
    for (var series : List.of("steps", "end_to_end_steps")) {
      assertThat(relayed.path(series)).hasSize(Scale.SMOKE.relayTokensPerSecond().size());
      for (var step : relayed.path(series)) {
        assertThat(step.path("failed_streams").asInt()).isZero();
        assertThat(step.path("count").asLong()).isPositive();
      }
    }
    assertThat(data(json, "concurrent chats").path("completed").asInt())
        .isEqualTo(Scale.SMOKE.workerChats());
    assertThat(data(json, "concurrent open streams").path("open_client_side").asInt())
        .isEqualTo(Scale.SMOKE.openStreams());
    assertThat(data(json, "cache-hit lookup, p99").path("failed").asInt()).isZero();
    assertThat(data(json, "cache miss").path("failed").asInt()).isZero();
    assertThat(data(json, "cache miss").path("count").asInt()).isEqualTo(Scale.SMOKE.misses());

    // Repeated: every run kept, the table one row per measure naming the runs it is the median of.
    assertThat(json.path("runs")).hasSize(2);
    assertThat(json.path("runs").get(1)).hasSize(9);
    assertThat(data(json, "cache miss").path("runs").asInt()).isEqualTo(2);
    // The floors and the peer are measured beside us, in the same run.
    assertThat(data(json, "time to first token").path("kafka_floor").path("records").asInt())
        .isEqualTo(Scale.SMOKE.kafkaFloorRecords());
    var throughput = data(json, "cache-hit lookups, throughput");
    assertThat(throughput.path("trivial_endpoint").path("per_second").asDouble()).isPositive();
    assertThat(throughput.path("failed").asInt()).isZero();
    assertThat(json.path("settings_changed_from_default").size()).isPositive();
    // Every warm-up chat of the smoke run completes: a warm-up that fails is reported as such.
    assertThat(json.path("warm_ups").path("chat warm-up").asString())
        .contains("2 chats through the API")
        .contains("2 completed, 0 failed");
    // What the services logged at WARN and ERROR is counted from their logs, not left in them.
    assertThat(json.path("logged_by_the_services").has("lines_per_level_and_service")).isTrue();
    assertThat(Files.readString(out.resolve("latest.md")))
        .containsPattern("logged (nothing )?at WARN");
    assertThat(Files.list(out.resolve("runs"))).hasSize(1);
  }

  private static JsonNode data(JsonNode json, String measure) {
    for (var m : json.path("measures")) {
      if (m.path("name").asString().startsWith(measure)) {
        return m.path("data");
      }
    }
    throw new AssertionError("no measure " + measure);
  }
}
