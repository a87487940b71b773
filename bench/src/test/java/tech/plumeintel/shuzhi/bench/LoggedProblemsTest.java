package tech.plumeintel.shuzhi.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LoggedProblemsTest {

  private static final String LOST_HISTORY =
      "chat-worker  | 2026-12-06T02:51:23.047Z ERROR 7190 --- [chat-worker] [ chat-stream-46]"
          + " t.p.shuzhi.chat.job.ChatGeneration       : Job %s not stored in history:"
          + " com.mongodb.MongoTimeoutException: Timed out after %d ms while waiting for a"
          + " connection to server 127.0.0.1:46699.";

  @Test
  void countsOneCauseOnceWhateverItsIdsAndNumbers() {
    var problems = new LoggedProblems();
    problems.add(String.format(LOST_HISTORY, "dU6PSL-XRm1ZaR04Z847hg", 2091));
    problems.add(String.format(LOST_HISTORY, "EMR6a9a685JOsBNRd8qp6A", 2290));

    assertThat(problems.errors()).isEqualTo(2);
    assertThat(problems.mostFrequent())
        .containsExactly(
            "2 × ERROR chat-worker ChatGeneration: Job … not stored in history:"
                + " com.mongodb.MongoTimeoutException: Timed out after N ms while waiting for a"
                + " connection to server N.N.N.N:N.");
  }

  @Test
  void readsTheOtherInstancesLinesWithoutTheComposePrefix() {
    var problems = new LoggedProblems();
    problems.add(
        "2026-12-05T11:16:39.565Z ERROR 32645 --- [api-service] [mcat-handler-20]"
            + " o.s.k.support.LoggingProducerListener    : Exception thrown when sending a message"
            + " to topic chat.requested:");
    problems.add(
        "api-service  | 2026-12-06T02:44:39.125Z  WARN 31129 --- [api-service] [at-handler-9376]"
            + " t.p.shuzhi.api.auth.AccessStanding       : Readers' existence not checked:"
            + " MongoTimeoutException");

    assertThat(problems.data().get("lines_per_level_and_service"))
        .isEqualTo(Map.of("ERROR api-service", 1L, "WARN api-service", 1L));
    assertThat(problems.mostFrequent())
        .containsExactly(
            "1 × ERROR api-service LoggingProducerListener: Exception thrown when sending a"
                + " message to topic chat.requested:",
            "1 × WARN api-service AccessStanding: Readers' existence not checked:"
                + " MongoTimeoutException");
  }

  @Test
  void ignoresInfoLinesAndTheBenchsOwnOutput() {
    var problems = new LoggedProblems();
    problems.add(
        "api-service  | 2026-12-06T02:44:39.125Z  INFO 31129 --- [api-service] [main]"
            + " t.p.shuzhi.api.ApiApplication : Started");
    problems.add("bench: phase: relay ...");

    assertThat(problems.errors()).isZero();
    assertThat(problems.markdown()).contains("logged nothing at WARN or ERROR");
  }
}
