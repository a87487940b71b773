package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** One request id in the API's log and in the chat-worker's, carried by the Kafka record. */
class RequestIdAcrossServicesIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  @Test
  void aChatsRequestIdIsInTheApisAndTheWorkersLogs() {
    var reader = system.login("reader-traced-chat");
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    reader.awaitTaskEnd(
        reader.lookUp(isbn).json().path("poll_url").asString(), Duration.ofSeconds(30));

    try (var logs = CapturedLogs.start()) {
      var stream = reader.ask(isbn, "追踪 [recorded]");
      var requestId = stream.requestId();
      assertThat(stream.untilEnd().getLast().isDone()).isTrue();

      var tag = "request_id=" + requestId;
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(logs.lines())
                    .anyMatch(
                        line -> line.contains("tech.plumeintel.shuzhi.api.") && line.contains(tag));
                assertThat(logs.lines())
                    .anyMatch(
                        line ->
                            line.contains("tech.plumeintel.shuzhi.chat.") && line.contains(tag));
              });
    }
  }
}
