package tech.plumeintel.shuzhi.api.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.TestPropertySource;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tools.jackson.databind.JsonNode;

/**
 * Replays every request of the hostile corpus ({@code src/test/resources/corpus/}) against the
 * running API over real sockets. Each gets the answer its case expects — a 4xx in the contract's
 * {@code {"code","message"}} shape, never a 5xx, never a stack trace or an HTML page — and, over
 * the whole corpus, nothing stored changes and no job is published. The outcome per group is
 * written to {@code target/corpus-report.md}.
 */
// The corpus sends some 80 chats from one reader in seconds; the limit itself is tested elsewhere.
@TestPropertySource(properties = "shuzhi.limits.chat-per-minute=100000")
class BadInputCorpusIT extends ApiIntegrationTest {

  static final String DATABASE = "shuzhi-corpus";

  /** A Redis database of its own: the snapshot can then compare every key. */
  static final int REDIS_DATABASE = 7;

  private static final List<CaseResult> RESULTS = new ArrayList<>();
  private static String storedStateOutcome = "not checked";

  @Autowired MongoDatabase database;
  @Autowired StringRedisTemplate redis;

  /**
   * The API under test writes to a Mongo database and a Redis database of its own, so that the
   * snapshot can compare everything without other tests' leftovers (some expire) in the way.
   */
  @TestConfiguration(proxyBeanMethods = false)
  static class StoresOfItsOwn {
    @Bean
    MongoDatabase corpusDatabase(MongoClient client) {
      return client.getDatabase(DATABASE);
    }

    @Bean
    LettuceConnectionFactory corpusRedis() {
      var url = URI.create(TestInfrastructure.shared().redisUrl());
      var configuration = new RedisStandaloneConfiguration(url.getHost(), url.getPort());
      configuration.setDatabase(REDIS_DATABASE);
      return new LettuceConnectionFactory(configuration);
    }
  }

  /** Every endpoint of CONTRACT §1; each must be aimed at by the corpus. */
  static final List<String> CONTRACT_ENDPOINTS =
      List.of(
          "POST /api/auth/login/wechat/",
          "POST /api/auth/token/refresh/",
          "GET /api/books/{isbn}/",
          "GET /api/tasks/{task_id}/",
          "GET /api/books/{isbn}/cover/",
          "POST /api/chat/stream/",
          "GET /api/chat/stream/{request_id}/",
          "POST /api/chat/stream/{request_id}/cancel/",
          "GET /api/user/history/",
          "GET /api/user/history/{id}/",
          "DELETE /api/user/history/{id}/",
          "GET /api/user/collections/",
          "POST /api/user/collections/",
          "DELETE /api/user/collections/{isbn}/",
          "GET /api/user/profile/",
          "PUT /api/user/profile/");

  record CaseResult(String group, String name, String endpoint, int status, List<String> problems) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  @TestFactory
  Stream<DynamicNode> everyHostileRequestGetsAContractErrorAndChangesNothing() throws Exception {
    assertThat(database.getName())
        .as("the corpus runs on a database of its own")
        .isEqualTo(DATABASE);
    assertThat(((LettuceConnectionFactory) redis.getConnectionFactory()).getDatabase())
        .isEqualTo(REDIS_DATABASE);
    var values = seed();
    var cases = CorpusCase.load(corpusFolder());
    var before = StoredState.of(database, redis);

    var groups = new LinkedHashMap<String, List<CorpusCase>>();
    cases.forEach(c -> groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(c));
    var nodes = new ArrayList<DynamicNode>();
    nodes.add(
        dynamicTest(
            "the corpus aims at every endpoint of the contract",
            () -> {
              var aimed =
                  cases.stream()
                      .map(CorpusCase::endpoint)
                      .collect(
                          Collectors.groupingBy(e -> String.valueOf(e), Collectors.counting()));
              for (var endpoint : CONTRACT_ENDPOINTS) {
                assertThat(aimed.getOrDefault(endpoint, 0L)).as(endpoint).isGreaterThanOrEqualTo(5);
              }
            }));
    groups.forEach(
        (group, members) ->
            nodes.add(
                dynamicContainer(
                    group,
                    members.stream().map(c -> dynamicTest(c.name(), () -> replay(c, values))))));
    nodes.add(
        dynamicTest(
            "nothing stored changed and no job was published",
            () -> {
              var after = StoredState.of(database, redis);
              storedStateOutcome =
                  after.equals(before)
                      ? "unchanged (" + after.summary() + ")"
                      : "CHANGED: before " + before.summary() + "; after " + after.summary();
              assertThat(after.mongo()).isEqualTo(before.mongo());
              assertThat(after.redis()).isEqualTo(before.redis());
              assertThat(after.kafka()).as("records on the job topics").isEqualTo(before.kafka());
            }));
    return nodes.stream();
  }

  @AfterAll
  static void writeReport() throws Exception {
    CorpusReport.write(Path.of("target", "corpus-report.md"), RESULTS, storedStateOutcome);
  }

  private void replay(CorpusCase c, Map<String, String> values) {
    var answer = RawHttp.exchange(port, c.request(port, values), Duration.ofSeconds(15));
    var problems = Verdict.problems(c, answer);
    synchronized (RESULTS) {
      RESULTS.add(
          new CaseResult(
              c.group(), c.name(), String.valueOf(c.endpoint()), answer.status(), problems));
    }
    assertThat(problems)
        .as(
            "%s/%s answered %d: %s",
            c.group(), c.name(), answer.status(), Verdict.abbreviate(answer.bodyText()))
        .isEmpty();
  }

  /** The reader the corpus acts as, another reader, and what they own; returns the placeholders. */
  private Map<String, String> seed() {
    var values = new HashMap<String, String>();
    var reader = login("corpus-reader");
    var other = login("corpus-other");
    var userId = reader.path("user").path("id").asString();
    var otherId = other.path("user").path("id").asString();
    values.put("access", reader.path("token").asString());
    values.put("refresh", reader.path("refresh_token").asString());
    values.put("user_id", userId);
    values.put("other_access", other.path("token").asString());
    values.put("other_user_id", otherId);
    values.putAll(ForgedTokens.forUser(userId, values.get("access"), JWT_SECRET));
    values.putAll(revokedFamily());

    var isbn = Isbn.parse("9787506365437");
    values.put("known_isbn", isbn.value());
    values.put("known_isbn10", isbn.isbn10().orElseThrow());
    var now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    database
        .getCollection(Book.COLLECTION, Book.class)
        .insertOne(
            new Book(
                isbn.value(),
                "活着",
                null,
                null,
                "余华",
                null,
                "作家出版社",
                "2012-8",
                191,
                "20.00元",
                "平装",
                null,
                9.4,
                1000,
                "《活着》讲述了……",
                null,
                "https://img1.doubanio.com/x.jpg",
                true,
                Map.of("title", "douban"),
                now));
    GridFSBuckets.create(database, Book.COVERS_BUCKET)
        .uploadFromStream(
            isbn.value(),
            new ByteArrayInputStream(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3}),
            new GridFSUploadOptions().metadata(new Document("content_type", "image/png")));
    var saved =
        api().post("/api/user/collections/", Map.of("isbn", isbn.value()), values.get("access"));
    assertThat(saved.status()).isEqualTo(200);

    values.put("own_conversation", converse(userId, isbn.value(), now));
    values.put("other_conversation", converse(otherId, isbn.value(), now));
    values.put("own_stream", stream(userId, isbn.value()));
    values.put("other_stream", stream(otherId, isbn.value()));
    var taskId = "corpus-task-" + UUID.randomUUID();
    redis
        .opsForHash()
        .putAll(
            BookTasks.task(taskId),
            Map.of(
                BookTasks.FIELD_STATUS,
                "pending",
                BookTasks.FIELD_ISBN,
                "9787020002207",
                BookTasks.FIELD_DEADLINE,
                now.plus(Duration.ofDays(1)).toString()));
    values.put("task_id", taskId);
    values.put("svg_cover_isbn", svgCover(now));
    values.put("port", Integer.toString(port));
    return values;
  }

  /**
   * A login whose refresh token was replayed after use, so its family is revoked before the
   * snapshot: the corpus replays its tokens again, and a replay must change nothing more.
   */
  private Map<String, String> revokedFamily() {
    var robbed = login("corpus-robbed");
    var used = robbed.path("refresh_token").asString();
    var renewed = api().post("/api/auth/token/refresh/", Map.of("refresh_token", used), null);
    assertThat(renewed.status()).isEqualTo(200);
    var replayed = api().post("/api/auth/token/refresh/", Map.of("refresh_token", used), null);
    assertThat(replayed.status()).isEqualTo(401);
    return Map.of(
        "used_refresh", used,
        "successor_refresh", renewed.json().path("refresh_token").asString(),
        "revoked_access", renewed.json().path("token").asString());
  }

  /** A stored book whose stored "cover" is an SVG with script, as a careless mirror kept it. */
  private String svgCover(Instant now) {
    var isbn = Isbn.parse("9787544253994");
    database
        .getCollection(Book.COLLECTION, Book.class)
        .insertOne(
            new Book(
                isbn.value(),
                "百年孤独",
                null,
                null,
                "马尔克斯",
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
                "https://img1.doubanio.com/svg.jpg",
                true,
                Map.of(),
                now));
    GridFSBuckets.create(database, Book.COVERS_BUCKET)
        .uploadFromStream(
            isbn.value(),
            new ByteArrayInputStream(
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            new GridFSUploadOptions().metadata(new Document("content_type", "image/svg+xml")));
    return isbn.value();
  }

  private JsonNode login(String openid) {
    var code = "corpus-" + openid + "-" + System.nanoTime();
    WECHAT.accept(code, openid);
    var answer = api().post("/api/auth/login/wechat/", Map.of("code", code), null);
    assertThat(answer.status()).isEqualTo(200);
    return answer.json();
  }

  private String converse(String userId, String isbn, Instant at) {
    var id = UUID.randomUUID().toString();
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
                new TokenUsage(10, 20, 5, 0, 10),
                "deepseek-v4-flash",
                at,
                at,
                at));
    return id;
  }

  /** A finished stream as the API and a worker leave it: owner, log, a client message id. */
  private String stream(String userId, String isbn) {
    var id = "corpus-stream-" + UUID.randomUUID();
    redis
        .opsForHash()
        .putAll(
            ChatChannels.meta(id),
            Map.of(ChatChannels.META_USER, userId, ChatChannels.META_ISBN, isbn));
    redis
        .opsForList()
        .rightPushAll(
            ChatChannels.log(id),
            StreamFrame.chunk(
                    1,
                    "{\"id\":\""
                        + id
                        + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
                .encode(),
            StreamFrame.done(2).encode());
    redis.opsForValue().set("chat:client-msg:" + userId + ":corpus-msg", id);
    return id;
  }

  private static Path corpusFolder() throws URISyntaxException {
    return Path.of(BadInputCorpusIT.class.getResource("/corpus").toURI());
  }
}
