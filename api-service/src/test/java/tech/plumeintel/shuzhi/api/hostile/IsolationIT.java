package tech.plumeintel.shuzhi.api.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.api.ChatPost;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.RawTcpServer;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;
import tools.jackson.databind.json.JsonMapper;

/**
 * One reader cannot reach another's streams, history or saved books — every attempt is answered
 * exactly like a resource that does not exist, and changes nothing — and no endpoint makes the
 * server fetch a URL the caller chose.
 */
class IsolationIT extends ApiIntegrationTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired MongoDatabase database;
  @Autowired StringRedisTemplate redis;

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private String userIdOf(String token) {
    return api().get("/api/user/profile/", token).json().path("id").asString();
  }

  private static void assertNotFound(JsonHttp.Answer answer, String what) {
    assertThat(answer.status()).as(what).isEqualTo(404);
    assertThat(answer.json().path("code").asString()).as(what).isEqualTo("NOT_FOUND");
  }

  @Test
  void aReaderCannotResumeOrCancelAnotherReadersStream() throws Exception {
    var bob = loginAs("isolation-stream-bob");
    var mallory = loginAs("isolation-stream-mallory");
    var requestId = finishedStream(bob, "isolation-msg-1");

    for (var attempt :
        List.of(
            api().get("/api/chat/stream/" + requestId + "/", mallory),
            api()
                .send(
                    "GET",
                    "/api/chat/stream/" + requestId + "/",
                    null,
                    mallory,
                    Map.of("Last-Event-ID", "0", "Accept", "application/x-ndjson")),
            api().get("/api/chat/stream/" + requestId + "/?after=1", mallory),
            api().post("/api/chat/stream/" + requestId + "/cancel/", null, mallory))) {
      assertNotFound(attempt, "mallory on bob's stream " + attempt.status());
    }
    assertThat(api().delete("/api/chat/stream/" + requestId + "/", mallory).status())
        .as("there is no stream deletion to abuse")
        .isEqualTo(405);

    assertThat(redis.opsForHash().get(ChatChannels.meta(requestId), ChatChannels.META_CANCELLED))
        .isNull();
    var replay = api().get("/api/chat/stream/" + requestId + "/?after=0", bob);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.body()).contains("\"content\":\"secret\"").contains("[DONE]");
  }

  @Test
  void theSameClientMessageIdFromAnotherReaderStartsTheirOwnStream() throws Exception {
    var bob = loginAs("isolation-msgid-bob");
    var mallory = loginAs("isolation-msgid-mallory");
    var bobs = finishedStream(bob, "shared-msg-id");

    var mallorys = open(mallory, "shared-msg-id");
    try {
      assertThat(mallorys.headers().firstValue("X-Request-Id"))
          .isPresent()
          .get()
          .isNotEqualTo(bobs);
    } finally {
      mallorys.body().close();
    }
  }

  @Test
  void aReaderCannotReadOrDeleteAnotherReadersHistory() {
    var bob = loginAs("isolation-history-bob");
    var mallory = loginAs("isolation-history-mallory");
    var bobId = userIdOf(bob);
    var conversation = converse(bobId);

    assertThat(api().get("/api/user/history/", mallory).json().path("count").asInt()).isZero();
    assertNotFound(api().get("/api/user/history/" + conversation + "/", mallory), "read");
    assertNotFound(api().delete("/api/user/history/" + conversation + "/", mallory), "delete");

    assertThat(api().get("/api/user/history/" + conversation + "/", bob).status()).isEqualTo(200);
    assertThat(
            database
                .getCollection(Exchange.COLLECTION)
                .countDocuments(Filters.eq("conversation_id", conversation)))
        .isEqualTo(1);
  }

  @Test
  void aReaderCannotSeeOrRemoveAnotherReadersSavedBooks() {
    var bob = loginAs("isolation-saved-bob");
    var mallory = loginAs("isolation-saved-mallory");
    var isbn = TestIsbns.next();
    assertThat(api().post("/api/user/collections/", Map.of("isbn", isbn), bob).status())
        .isEqualTo(200);

    assertThat(api().get("/api/user/collections/", mallory).json().path("count").asInt()).isZero();
    assertNotFound(api().delete("/api/user/collections/" + isbn + "/", mallory), "remove");

    var bobs = api().get("/api/user/collections/", bob).json();
    assertThat(bobs.path("count").asInt()).isEqualTo(1);
    assertThat(bobs.path("results").get(0).path("isbn").asString()).isEqualTo(isbn);
  }

  @Test
  void anAvatarUrlIsStoredAndShownButNeverFetched() throws Exception {
    try (var listener = new RawTcpServer(connection -> {})) {
      var token = loginAs("isolation-avatar");
      var avatar = "https://127.0.0.1:" + listener.port() + "/latest/meta-data/iam?x=1";

      var updated =
          api().put("/api/user/profile/", Map.of("nickname", "ssrf", "avatar_url", avatar), token);
      assertThat(updated.status()).isEqualTo(200);
      assertThat(api().get("/api/user/profile/", token).json().path("avatar_url").asString())
          .isEqualTo(avatar);
      loginAs("isolation-avatar");

      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> listener.connections() == 0);
    }
  }

  @Test
  void aCoverIsServedOnlyFromOurStoreNeverFetchedFromItsSource() throws Exception {
    try (var listener = new RawTcpServer(connection -> {})) {
      var token = loginAs("isolation-cover");
      var isbn = TestIsbns.next();
      var source = "http://127.0.0.1:" + listener.port() + "/cover.jpg";
      database
          .getCollection(Book.COLLECTION, Book.class)
          .replaceOne(
              Filters.eq("_id", isbn),
              new Book(
                  isbn,
                  "书",
                  null,
                  null,
                  "作者",
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  source,
                  false,
                  Map.of(),
                  Instant.now()),
              new ReplaceOptions().upsert(true));

      assertNotFound(api().get("/api/books/" + isbn + "/cover/", token), "a cover we do not hold");
      assertThat(api().get("/api/books/" + isbn + "/", token).status()).isEqualTo(200);

      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> listener.connections() == 0);
    }
  }

  @Test
  void aLoginCodeCannotAddParametersToTheWechatCall() {
    var marker = "inject" + System.nanoTime();
    var code = marker + "&appid=evil&secret=x&grant_type=none#frag";

    var answer = api().post("/api/auth/login/wechat/", Map.of("code", code), null);

    assertThat(answer.status()).isEqualTo(401);
    var calls =
        WECHAT.http().received(WechatStandIn.PATH).stream()
            .filter(r -> r.query().contains(marker))
            .toList();
    assertThat(calls)
        .singleElement()
        .satisfies(
            call -> {
              var query = call.query();
              assertThat(query).startsWith("appid=" + WechatStandIn.APP_ID + "&");
              assertThat(query)
                  .contains(
                      "js_code="
                          + marker
                          + "%26appid%3Devil%26secret%3Dx%26grant_type%3Dnone%23frag&");
              assertThat(query).endsWith("&grant_type=authorization_code");
            });
  }

  /** A stream of this reader that a scripted worker answered in full: its request id. */
  private String finishedStream(String token, String clientMsgId) throws Exception {
    var stream = open(token, clientMsgId);
    var requestId = stream.headers().firstValue("X-Request-Id").orElseThrow();
    workerSends(
        requestId,
        StreamFrame.chunk(
            1,
            "{\"id\":\""
                + requestId
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"secret\"}}]}"));
    workerSends(requestId, StreamFrame.done(2));
    try (var body =
        new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      assertThat(body.lines().anyMatch(line -> line.contains("[DONE]"))).isTrue();
    }
    return requestId;
  }

  private HttpResponse<InputStream> open(String token, String clientMsgId)
      throws IOException, InterruptedException {
    var response =
        http.send(
            ChatPost.to(port, token, ChatPost.question(clientMsgId)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  /** What a chat-worker does with one frame: log it, then publish it. */
  private void workerSends(String requestId, StreamFrame frame) {
    redis.opsForList().rightPush(ChatChannels.log(requestId), frame.encode());
    redis.convertAndSend(ChatChannels.events(requestId), frame.encode());
  }

  private String converse(String userId) {
    var id = UUID.randomUUID().toString();
    var isbn = TestIsbns.next();
    var at = Instant.now();
    database
        .getCollection(Conversation.COLLECTION, Conversation.class)
        .insertOne(new Conversation(id, userId, isbn, at, at, 1, "问题"));
    database
        .getCollection(Exchange.COLLECTION, Exchange.class)
        .insertOne(
            new Exchange(
                UUID.randomUUID().toString(),
                id,
                userId,
                isbn,
                "问题",
                "回答",
                "思考",
                Exchange.Status.completed,
                new TokenUsage(1, 1, 0, 0, 0),
                "m",
                at,
                at,
                at));
    return id;
  }
}
