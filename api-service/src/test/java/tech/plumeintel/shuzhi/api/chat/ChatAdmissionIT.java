package tech.plumeintel.shuzhi.api.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.AnotherApiInstance;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.ChatPost;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tools.jackson.databind.json.JsonMapper;

/**
 * New chats refused while the chat-workers are behind, on an instance of its own (no worker takes
 * its jobs unless a test plays one): a chat whose job has waited {@code busy-after} for a worker
 * makes the next ones {@code 503 MODEL_ERROR} with {@code Retry-After}, until a worker is seen
 * (here: a heartbeat on the stream's channel, as a worker's claim sends).
 */
class ChatAdmissionIT extends ApiIntegrationTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static AnotherApiInstance instance;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<InputStream> streams = new ArrayList<>();

  @Autowired StringRedisTemplate redis;

  @BeforeAll
  static void startInstance() {
    instance =
        new AnotherApiInstance(
            Map.of(
                "shuzhi.chat.busy-after", "3s",
                "shuzhi.chat.pickup-timeout", "20s",
                "shuzhi.chat.ping-interval", "1s"));
  }

  @AfterAll
  static void stopInstance() {
    instance.close();
  }

  @AfterEach
  void closeStreams() throws Exception {
    for (var stream : streams) {
      stream.close();
    }
  }

  private HttpResponse<InputStream> chat(String token) throws Exception {
    return chat(token, ChatPost.question());
  }

  private HttpResponse<InputStream> chat(String token, String question) throws Exception {
    var response =
        http.send(
            ChatPost.to(instance.port(), token, question).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    streams.add(response.body());
    return response;
  }

  private static String requestId(HttpResponse<?> response) {
    return response.headers().firstValue("X-Request-Id").orElseThrow();
  }

  /** What a worker's first frame does: the job has been taken. */
  private void workerSignals(String requestId) {
    redis.convertAndSend(ChatChannels.events(requestId), StreamFrame.heartbeat().encode());
  }

  @Test
  void newChatsAreRefusedWhileAJobHasWaitedTooLongForAWorkerAndAdmittedOnceItIsTaken()
      throws Exception {
    var token = loginAs("busy-workers");
    var first = chat(token);
    var second = chat(token);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).as("the first job has not waited 3 s yet").isEqualTo(200);

    Thread.sleep(3_300);
    var refused = chat(token);

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("3");
    var error = JSON.readTree(new String(refused.body().readAllBytes(), StandardCharsets.UTF_8));
    assertThat(error.path("code").asString()).isEqualTo("MODEL_ERROR");
    assertThat(error.path("message").asString()).isEqualTo("对话服务繁忙，请稍后再试");
    assertThat(streamsRecordedFor(token)).as("the refusal wrote no stream").isEqualTo(2);

    workerSignals(requestId(first));
    workerSignals(requestId(second));
    var admitted = awaitAdmitted(token);

    assertThat(admitted.statusCode()).isEqualTo(200);
  }

  @Test
  void aMessageSentAgainIsAttachedToItsStreamWhileNewChatsAreRefused() throws Exception {
    // A client that lost its connection before the answer began sends the message again; a
    // refusal would keep it from an answer that is on its way.
    var token = loginAs("busy-resend");
    var question = ChatPost.question("msg-resent");
    var first = chat(token, question);
    assertThat(first.statusCode()).isEqualTo(200);
    first.body().close();
    var waiting = chat(token);

    Thread.sleep(3_300);
    var refused = chat(token);
    var resent = chat(token, question);

    assertThat(refused.statusCode()).as("the workers are behind").isEqualTo(503);
    assertThat(resent.statusCode()).isEqualTo(200);
    assertThat(requestId(resent)).isEqualTo(requestId(first));
    workerSignals(requestId(first));
    workerSignals(requestId(waiting));
  }

  @Test
  void aJobWhoseClientWentAwayStopsCountingAsWaiting() throws Exception {
    var token = loginAs("busy-gone");
    var gone = chat(token);
    assertThat(gone.statusCode()).isEqualTo(200);
    // The client goes away; the API notices at its next write (a ping, every second here).
    gone.body().close();

    Thread.sleep(3_300);
    var admitted = awaitAdmitted(token);

    assertThat(admitted.statusCode()).isEqualTo(200);
  }

  /** Frames travel through Redis pub/sub, so the wait ends a moment after they are sent. */
  private HttpResponse<InputStream> awaitAdmitted(String token) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      var response = chat(token);
      if (response.statusCode() != 503 || System.nanoTime() > deadline) {
        if (response.statusCode() == 200) {
          workerSignals(requestId(response));
        }
        return response;
      }
      Thread.sleep(100);
    }
  }
}
