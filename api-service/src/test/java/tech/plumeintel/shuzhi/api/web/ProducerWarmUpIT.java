package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.ChatPost;
import tech.plumeintel.shuzhi.testsupport.TcpProxy;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/**
 * A new instance knows where its jobs go before its first request. Its Kafka bootstrap address is a
 * proxy, cut once the instance has started: the broker's own address, which the topics' metadata
 * names, still works, the bootstrap address no longer does. A producer that learnt the metadata at
 * start sends the first chat's job; one that waits for the first job to ask, asks the cut proxy and
 * answers {@code 503} after {@code max.block.ms}.
 */
class ProducerWarmUpIT extends ApiIntegrationTest {

  @Test
  void aNewInstancesFirstChatNeedsNoRoundTripToLearnItsTopic() throws Exception {
    // "host:port", or "PLAINTEXT://host:port" from some containers; the first broker is enough.
    var broker =
        TestInfrastructure.shared()
            .kafkaBootstrapServers()
            .replaceFirst("^.*://", "")
            .split(",")[0];
    int colon = broker.lastIndexOf(':');
    try (var bootstrap =
            new TcpProxy(
                broker.substring(0, colon), Integer.parseInt(broker.substring(colon + 1)));
        var instance =
            new AnotherApiInstance(
                Map.of("spring.kafka.bootstrap-servers", "127.0.0.1:" + bootstrap.port()))) {
      bootstrap.cut();
      var token = loginAs("warm-producer");

      var answer = chat(instance.port(), token);

      assertThat(answer.statusCode()).isEqualTo(200);
    }
  }

  /** Starts a chat; its stream is closed as soon as the answer's headers are in. */
  private static HttpResponse<InputStream> chat(int port, String token) throws Exception {
    // Not closed: closing waits for the exchanges, and the stream's lasts until its pickup timeout.
    var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    var answer =
        http.send(
            ChatPost.to(port, token, ChatPost.question()).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    answer.body().close();
    return answer;
  }
}
