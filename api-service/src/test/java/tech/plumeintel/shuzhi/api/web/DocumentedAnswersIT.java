package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.api.web.OpenApiDocument.map;

import com.mongodb.client.MongoDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.JsonHttp.Answer;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real answers have exactly the documented shapes: every field they carry is documented (no
 * camelCase slipping out, no field renamed behind the docs' back), and every required one is there.
 */
class DocumentedAnswersIT extends ApiIntegrationTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired MongoDatabase database;

  private OpenApiDocument document;
  private SchemaCheck schemas;

  @BeforeEach
  void readTheDocument() {
    document = OpenApiDocument.parse(api().get(OpenApiController.PATH, null).body());
    schemas = new SchemaCheck(document);
  }

  /**
   * Checks an answer against its documented response: the required headers are there, the body has
   * a documented media type and, for JSON, the documented shape.
   */
  private Answer documented(String method, String path, Answer answer) {
    var where = method + " " + path + " answered " + answer.status() + ": " + answer.body();
    var response = document.response(method, path, answer.status());
    map(response.get("headers"))
        .forEach(
            (name, header) -> {
              if (Boolean.TRUE.equals(document.resolve(header).get("required"))) {
                assertThat(answer.header(name)).as("%s header %s", where, name).isNotNull();
              }
            });
    var content = map(response.get("content"));
    if (content.isEmpty()) {
      return answer;
    }
    var type = MediaType.parseMediaType(answer.header("Content-Type"));
    var documentedType =
        content.keySet().stream()
            .filter(candidate -> MediaType.parseMediaType(candidate).includes(type))
            .findFirst();
    assertThat(documentedType).as("%s media type %s", where, type).isPresent();
    if (type.isCompatibleWith(MediaType.APPLICATION_JSON)) {
      var schema = map(content.get(documentedType.get())).get("schema");
      assertThat(schemas.problems(answer.json(), schema)).as(where).isEmpty();
    }
    return answer;
  }

  @Test
  void loginRefreshAndProfileAnswers() {
    var code = "code-documented-" + System.nanoTime();
    WECHAT.accept(code, "documented-reader");
    var login =
        documented(
            "POST",
            "/api/auth/login/wechat/",
            api().post("/api/auth/login/wechat/", Map.of("code", code), null));
    var token = login.json().path("token").asString();
    documented(
        "POST",
        "/api/auth/token/refresh/",
        api()
            .post(
                "/api/auth/token/refresh/",
                Map.of("refresh_token", login.json().path("refresh_token").asString()),
                null));

    documented("GET", "/api/user/profile/", api().get("/api/user/profile/", token));
    documented(
        "PUT",
        "/api/user/profile/",
        api()
            .put(
                "/api/user/profile/",
                Map.of("nickname", "书虫", "avatar_url", "https://example.com/a.png"),
                token));
    documented(
        "PUT",
        "/api/user/profile/",
        api().put("/api/user/profile/", Map.of("nickname", "书虫"), token));
    documented("GET", "/api/user/profile/", api().get("/api/user/profile/", null));
    documented(
        "POST",
        "/api/auth/login/wechat/",
        api().post("/api/auth/login/wechat/", Map.of("code", "never-issued"), null));
  }

  @Test
  void bookTaskAndCoverAnswers() {
    var token = loginAs("documented-books");
    var known = TestIsbns.next();
    database
        .getCollection(Book.COLLECTION, Book.class)
        .insertOne(
            new Book(
                known,
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
                "……",
                null,
                null,
                false,
                Map.of("title", "douban", "pages", "openlibrary"),
                Instant.now()));

    documented("GET", "/api/books/{isbn}/", api().get("/api/books/" + known + "/", token));
    var pending =
        documented(
            "GET", "/api/books/{isbn}/", api().get("/api/books/" + TestIsbns.next() + "/", token));
    assertThat(pending.status()).isEqualTo(202);
    assertThat(pending.header("Location")).isEqualTo(pending.json().path("poll_url").asString());
    documented(
        "GET",
        "/api/tasks/{task_id}/",
        api().get("/api/tasks/" + pending.json().path("task_id").asString() + "/", token));
    documented("GET", "/api/tasks/{task_id}/", api().get("/api/tasks/nope/", token));
    documented("GET", "/api/books/{isbn}/", api().get("/api/books/9787544253995/", token));
    documented(
        "GET", "/api/books/{isbn}/cover/", api().get("/api/books/" + known + "/cover/", token));
  }

  @Test
  void savedBookAnswers() {
    var token = loginAs("documented-collector");
    var path = "/api/user/collections/";
    documented("POST", path, api().post(path, Map.of("isbn", TestIsbns.next()), token));
    documented("POST", path, api().post(path, Map.of("isbn", "123"), token));
    var page = documented("GET", path, api().get(path + "?limit=1", token));
    assertThat(page.json().path("results").size()).isEqualTo(1);
    var isbn = page.json().path("results").get(0).path("isbn").asString();
    documented("DELETE", path + "{isbn}/", api().delete(path + isbn + "/", token));
    documented("DELETE", path + "{isbn}/", api().delete(path + isbn + "/", token));
    documented("GET", path, api().get(path + "?limit=0", token));
  }

  @Test
  void historyAnswers() {
    var token = loginAs("documented-historian");
    var user = api().get("/api/user/profile/", token).json().path("id").asString();
    var id = UUID.randomUUID().toString();
    var isbn = TestIsbns.next();
    var at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    database
        .getCollection(Conversation.COLLECTION, Conversation.class)
        .insertOne(new Conversation(id, user, isbn, at, at, 2, "马孔多象征着什么？"));
    database
        .getCollection(Exchange.COLLECTION, Exchange.class)
        .insertMany(
            List.of(
                new Exchange(
                    UUID.randomUUID().toString(),
                    id,
                    user,
                    isbn,
                    "讲了什么？",
                    "……",
                    "……",
                    Exchange.Status.completed,
                    new TokenUsage(10, 20, 5, 0, 10),
                    "deepseek-v4-flash",
                    at,
                    at,
                    at),
                new Exchange(
                    UUID.randomUUID().toString(),
                    id,
                    user,
                    isbn,
                    "马孔多象征着什么？",
                    "马孔",
                    "",
                    Exchange.Status.cancelled,
                    null,
                    "deepseek-v4-flash",
                    at,
                    null,
                    at)));
    var path = "/api/user/history/";

    var page = documented("GET", path, api().get(path, token));
    assertThat(page.json().path("count").asInt()).isEqualTo(1);
    var detail = documented("GET", path + "{id}/", api().get(path + id + "/", token));
    assertThat(detail.json().path("exchanges").size()).isEqualTo(2);
    documented("DELETE", path + "{id}/", api().delete(path + id + "/", token));
    documented("GET", path + "{id}/", api().get(path + id + "/", token));
  }

  @Test
  void streamsHaveTheDocumentedHeadersAndMediaTypesAndEndWithDocumentedErrors() {
    var token = loginAs("documented-streamer");
    var question =
        Map.of(
            "isbn",
            TestIsbns.next(),
            "messages",
            List.of(Map.of("role", "user", "content", "讲了什么？")));
    var error = Map.of("$ref", "#/components/schemas/StreamError");
    var line = Map.of("$ref", "#/components/schemas/NdjsonLine");

    var events =
        documented(
            "POST",
            "/api/chat/stream/",
            api()
                .send(
                    "POST",
                    "/api/chat/stream/",
                    question,
                    token,
                    Map.of("Accept", "text/event-stream")));
    var data = events.body().lines().filter(l -> l.startsWith("data: ")).toList();
    assertThat(events.body()).contains("event: error\n");
    assertThat(data).hasSize(1);
    assertThat(schemas.problems(JSON.readTree(data.getFirst().substring(6)), error)).isEmpty();

    var lines =
        documented(
            "POST",
            "/api/chat/stream/",
            api()
                .send(
                    "POST",
                    "/api/chat/stream/",
                    question,
                    token,
                    Map.of("Accept", "application/x-ndjson")));
    var objects = lines.body().lines().filter(l -> !l.isBlank()).toList();
    assertThat(objects)
        .hasSize(1)
        .allSatisfy(
            object ->
                assertThat(schemas.problems(JSON.readTree(object), line)).as(object).isEmpty());

    var stream = "/api/chat/stream/" + events.header("X-Request-Id") + "/";
    documented(
        "POST",
        "/api/chat/stream/{request_id}/cancel/",
        api().post(stream + "cancel/", null, token));
    documented(
        "GET",
        "/api/chat/stream/{request_id}/",
        api()
            .send(
                "GET",
                stream,
                null,
                token,
                Map.of("Accept", "application/x-ndjson", "Last-Event-ID", "0")));
    documented(
        "GET",
        "/api/chat/stream/{request_id}/",
        api().send("GET", stream, null, token, Map.of("Last-Event-ID", "-1")));
  }

  @Test
  void chatAnswersBeforeAStreamStarts() {
    var token = loginAs("documented-chatter");
    documented(
        "POST",
        "/api/chat/stream/",
        api()
            .post(
                "/api/chat/stream/",
                Map.of(
                    "isbn",
                    TestIsbns.next(),
                    "messages",
                    List.of(Map.of("role", "system", "content", "x"))),
                token));
    documented(
        "POST",
        "/api/chat/stream/{request_id}/cancel/",
        api().post("/api/chat/stream/nope/cancel/", null, token));
    documented("GET", "/api/chat/stream/{request_id}/", api().get("/api/chat/stream/nope/", token));
  }
}
