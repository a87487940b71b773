package tech.plumeintel.shuzhi.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** After a reader's visit, every service's Prometheus endpoint shows what an operator watches. */
class MetricsAfterTrafficIT {

  private final ShuzhiSystem system = ShuzhiSystem.shared();

  private String metrics(InProcessService service) {
    return new JsonHttp(service.managementPort()).get("/actuator/prometheus", null).body();
  }

  @Test
  void lookupsFetchesStreamsAndTokensAppearOnPrometheusAfterTraffic() {
    var reader = system.login("reader-metrics");
    var isbn = TestIsbns.next();
    Books.onDouban(system.upstreams, isbn);
    var task =
        reader.awaitTaskEnd(
            reader.lookUp(isbn).json().path("poll_url").asString(), Duration.ofSeconds(30));
    assertThat(task.path("status").asString()).isEqualTo("succeeded");
    reader.lookUp(isbn);
    assertThat(reader.ask(isbn, "指标 [recorded]").untilEnd().getLast().isDone()).isTrue();

    assertThat(metrics(system.api))
        .contains(
            "http_server_requests_seconds_bucket{",
            "shuzhi_books_lookups_total{",
            "outcome=\"miss\"",
            "outcome=\"hit\"",
            "shuzhi_chat_relayed_streams");
    assertThat(metrics(system.fetchWorker))
        .contains(
            "shuzhi_books_fetches_total{",
            "source=\"douban\"",
            "outcome=\"found\"",
            "kafka_consumer_fetch_manager_records_lag_max");
    var chat = metrics(system.chatWorker);
    for (var name :
        List.of(
            "shuzhi_llm_first_token_seconds_bucket{",
            "shuzhi_llm_tokens_total{",
            "kind=\"reasoning\"",
            "kind=\"prompt\"",
            "shuzhi_chat_streams_active",
            "shuzhi_llm_upstream_requests_total{",
            "outcome=\"answered\"",
            "upstream=\"primary\"",
            "shuzhi_llm_upstream_first_token_seconds_bucket{",
            "shuzhi_llm_upstream_tokens_total{",
            "resilience4j_circuitbreaker_state{",
            "shuzhi_llm_upstream_keys_usable{")) {
      assertThat(chat).as(name).contains(name);
    }
  }
}
