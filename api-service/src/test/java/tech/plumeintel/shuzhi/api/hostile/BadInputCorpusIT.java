package tech.plumeintel.shuzhi.api.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.gridfs.GridFSBuckets;
import com.mongodb.client.gridfs.model.GridFSUploadOptions;
import java.io.ByteArrayInputStream;
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
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.book.BookFetchRequested;
import tech.plumeintel.shuzhi.common.book.BookTasks;
import tech.plumeintel.shuzhi.common.book.Isbn;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.TopicReader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replays every request of the hostile corpus ({@code src/test/resources/corpus/}) against the
 * running API over real sockets. Each gets the answer its case expects — a 4xx in the contract's
 * {@code {"code","message"}} shape, never a 5xx, never a stack trace or an HTML page — and, over the
 * whole corpus, nothing stored changes and no job is published. The outcome per group is written to
 * {@code target/corpus-report.md}.
 */
class BadInputCorpusIT extends ApiIntegrationTest {

  static final String DATABASE = "shuzhi-corpus";
  /** A Redis database of its own: the snapshot can then compare every key. */
  static final int REDIS_DATABASE = 7;
  private static final Set<String> CODES = Set.of("INVALID_PARAMS", "UNAUTHORIZED", "NOT_FOUND",
      "RATE_LIMIT", "SERVER_ERROR", "MODEL_ERROR", "UPSTREAM_ERROR");
  /** What must never reach a client: stack frames, exception names, container pages. */
  private static final List<String> LEAKS = List.of("Exception", "\tat ", "at org.", "at java.",
      "at tech.", "<html", "<!doctype", "Whitelabel", "Tomcat", "springframework", "jackson",
      "mongodb", "\"trace\"", "\"path\"");
  private static final JsonMapper JSON = JsonMapper.builder().build();
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
      var url = java.net.URI.create(TestInfrastructure.shared().redisUrl());
      var configuration = new RedisStandaloneConfiguration(url.getHost(), url.getPort());
      configuration.setDatabase(REDIS_DATABASE);
      return new LettuceConnectionFactory(configuration);
    }
  }

  record CaseResult(String group, String name, String expected, int status, String code,
      List<String> problems) {
    boolean passed() {
      return problems.isEmpty();
    }
  }

  @TestFactory
  Stream<DynamicNode> everyHostileRequestGetsAContractErrorAndChangesNothing() throws Exception {
    assertThat(database.getName()).as("the corpus runs on a database of its own").isEqualTo(DATABASE);
    assertThat(((LettuceConnectionFactory) redis.getConnectionFactory()).getDatabase())
        .isEqualTo(REDIS_DATABASE);
    var values = seed();
    var cases = CorpusCase.load(corpusFolder());
    var fetchJobs = new TopicReader(BookFetchRequested.TOPIC);
    var chatJobs = new TopicReader(ChatRequested.TOPIC);
    var jobsBefore = fetchJobs.records(r -> true, Duration.ofSeconds(1)).size()
        + chatJobs.records(r -> true, Duration.ofMillis(500)).size();
    var before = StoredState.of(database, redis);

    var groups = new LinkedHashMap<String, List<CorpusCase>>();
    cases.forEach(c -> groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(c));
    var nodes = new ArrayList<DynamicNode>();
    groups.forEach((group, members) -> nodes.add(dynamicContainer(group, members.stream()
        .map(c -> dynamicTest(c.name(), () -> replay(c, values))))));
    nodes.add(dynamicTest("nothing stored changed and no job was published", () -> {
      var after = StoredState.of(database, redis);
      var jobsAfter = fetchJobs.records(r -> true, Duration.ofSeconds(1)).size()
          + chatJobs.records(r -> true, Duration.ofMillis(500)).size();
      fetchJobs.close();
      chatJobs.close();
      storedStateOutcome = after.equals(before) && jobsAfter == jobsBefore
          ? "unchanged (" + after.summary() + "; no Kafka record)"
          : "CHANGED: before " + before.summary() + ", after " + after.summary()
              + ", Kafka records " + jobsBefore + " -> " + jobsAfter;
      assertThat(after.mongo()).isEqualTo(before.mongo());
      assertThat(after.redis()).isEqualTo(before.redis());
      assertThat(jobsAfter).as("Kafka records published by the corpus").isEqualTo(jobsBefore);
    }));
    return nodes.stream();
  }

  @AfterAll
  static void writeReport() throws Exception {
    CorpusReport.write(Path.of("target", "corpus-report.md"), RESULTS, storedStateOutcome);
  }

  private void replay(CorpusCase c, Map<String, String> values) {
    var answer = RawHttp.exchange(port, c.request(port, values), Duration.ofSeconds(15));
    var problems = problems(c, answer);
    String code = null;
    try {
      code = JSON.readTree(answer.body()).path("code").asString(null);
    } catch (RuntimeException e) {
      // Not JSON: already one of the problems.
    }
    synchronized (RESULTS) {
      RESULTS.add(new CaseResult(c.group(), c.name(), c.expected(), answer.status(), code, problems));
    }
    assertThat(problems).as("%s/%s answered %d: %s", c.group(), c.name(), answer.status(),
        abbreviate(answer.bodyText())).isEmpty();
  }

  /** Everything wrong with an answer; empty when it is what the case expects. */
  private static List<String> problems(CorpusCase c, RawHttp.Answer answer) {
    var problems = new ArrayList<String>();
    int status = answer.status();
    if (status < 0) {
      problems.add("no answer: " + answer.failure());
      return problems;
    }
    var expected = c.expected();
    if (expected.equals("4xx") ? status < 400 || status > 499 : status != Integer.parseInt(expected)) {
      problems.add("status " + status + ", expected " + expected);
    }
    var body = answer.bodyText();
    LEAKS.stream().filter(leak -> body.toLowerCase().contains(leak.toLowerCase()))
        .forEach(leak -> problems.add("body leaks \"" + leak.strip() + "\""));
    if (status < 400) {
      return problems;
    }
    var type = answer.header("Content-Type");
    if (type == null || !type.startsWith("application/json")) {
      problems.add("error Content-Type " + type);
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (RuntimeException e) {
      problems.add("error body is not JSON");
      return problems;
    }
    var fields = new ArrayList<String>();
    json.propertyNames().forEach(fields::add);
    if (!json.isObject() || !Set.copyOf(fields).equals(Set.of("code", "message"))
        || !json.get("code").isString() || !json.get("message").isString()
        || json.get("message").asString().isBlank()) {
      problems.add("error body is not {\"code\",\"message\"}: " + abbreviate(body));
      return problems;
    }
    var code = json.get("code").asString();
    if (!CODES.contains(code)) {
      problems.add("unknown code " + code);
    }
    if (c.expectedCode() != null && !c.expectedCode().equals(code)) {
      problems.add("code " + code + ", expected " + c.expectedCode());
    }
    var fitting = switch (status) {
      case 401 -> "UNAUTHORIZED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RATE_LIMIT";
      default -> status < 500 ? "INVALID_PARAMS" : null;
    };
    if (fitting != null && !fitting.equals(code)) {
      problems.add("code " + code + " does not fit status " + status);
    }
    return problems;
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

    var isbn = Isbn.parse("9787506365437");
    values.put("known_isbn", isbn.value());
    values.put("known_isbn10", isbn.isbn10().orElseThrow());
    var now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    database.getCollection(Book.COLLECTION, Book.class).insertOne(new Book(isbn.value(), "活着",
        null, null, "余华", null, "作家出版社", "2012-8", 191, "20.00元", "平装", null, 9.4, 1000,
        "《活着》讲述了……", null, "https://img1.doubanio.com/x.jpg", true, Map.of("title", "douban"),
        now));
    GridFSBuckets.create(database, Book.COVERS_BUCKET).uploadFromStream(isbn.value(),
        new ByteArrayInputStream(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}),
        new GridFSUploadOptions().metadata(new Document("content_type", "image/png")));
    var saved = api().post("/api/user/collections/", Map.of("isbn", isbn.value()), values.get("access"));
    assertThat(saved.status()).isEqualTo(200);

    values.put("own_conversation", converse(userId, isbn.value(), now));
    values.put("other_conversation", converse(otherId, isbn.value(), now));
    values.put("own_stream", stream(userId, isbn.value()));
    values.put("other_stream", stream(otherId, isbn.value()));
    var taskId = "corpus-task-" + UUID.randomUUID();
    redis.opsForHash().putAll(BookTasks.task(taskId), Map.of(BookTasks.FIELD_STATUS, "pending",
        BookTasks.FIELD_ISBN, "9787020002207", BookTasks.FIELD_DEADLINE,
        now.plus(Duration.ofDays(1)).toString()));
    values.put("task_id", taskId);
    values.put("port", Integer.toString(port));
    return values;
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
    database.getCollection(Conversation.COLLECTION, Conversation.class)
        .insertOne(new Conversation(id, userId, isbn, at, at, 1, "问题"));
    database.getCollection(Exchange.COLLECTION, Exchange.class).insertOne(new Exchange(
        UUID.randomUUID().toString(), id, userId, isbn, "问题", "回答", "思考",
        Exchange.Status.completed, new TokenUsage(10, 20, 5, 0, 10), "deepseek-v4-flash", at, at,
        at));
    return id;
  }

  /** A finished stream as the API and a worker leave it: owner, log, a client message id. */
  private String stream(String userId, String isbn) {
    var id = "corpus-stream-" + UUID.randomUUID();
    redis.opsForHash().putAll(ChatChannels.meta(id),
        Map.of(ChatChannels.META_USER, userId, ChatChannels.META_ISBN, isbn));
    redis.opsForList().rightPushAll(ChatChannels.log(id),
        tech.plumeintel.shuzhi.common.chat.StreamFrame.chunk(1,
            "{\"id\":\"" + id + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}")
            .encode(),
        tech.plumeintel.shuzhi.common.chat.StreamFrame.done(2).encode());
    redis.opsForValue().set("chat:client-msg:" + userId + ":corpus-msg", id);
    return id;
  }

  private static Path corpusFolder() throws URISyntaxException {
    return Path.of(BadInputCorpusIT.class.getResource("/corpus").toURI());
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }
}
