package tech.plumeintel.shuzhi.system;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A logged-in reader of the mini-program: what it sends to the API, over real HTTP. */
final class Reader {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JsonHttp http;
  private final HttpClient streams =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String token;
  private final String userId;

  private Reader(JsonHttp http, String token, String userId) {
    this.http = http;
    this.token = token;
    this.userId = userId;
  }

  static Reader login(ShuzhiSystem system, String openid) {
    var code = "code-" + openid + "-" + System.nanoTime();
    system.upstreams.wechat.accept(code, openid);
    var http = system.http();
    var answer = http.post("/api/auth/login/wechat/", Map.of("code", code), null);
    if (answer.status() != 200) {
      throw new IllegalStateException("login failed: " + answer.status() + " " + answer.body());
    }
    var json = answer.json();
    return new Reader(http, json.path("token").asString(), json.path("user").path("id").asString());
  }

  String userId() {
    return userId;
  }

  /** The access token, only for tests that check it is never logged. */
  String token() {
    return token;
  }

  JsonHttp.Answer get(String path) {
    return http.get(path, token);
  }

  JsonHttp.Answer post(String path, @Nullable Object body) {
    return http.post(path, body, token);
  }

  JsonHttp.Answer delete(String path) {
    return http.delete(path, token);
  }

  JsonHttp.Answer lookUp(String isbn) {
    return get("/api/books/" + isbn + "/");
  }

  /** Polls a book task, as the mini-program does, until it succeeded or failed. */
  JsonNode awaitTaskEnd(String pollUrl, Duration atMost) {
    var path = URI.create(pollUrl).getPath();
    var last = new JsonNode[1];
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              var answer = get(path);
              if (answer.status() != 200) {
                throw new AssertionError("polling " + path + " answered " + answer.status());
              }
              last[0] = answer.json();
              var status = last[0].path("status").asString();
              return status.equals("succeeded") || status.equals("failed");
            });
    return last[0];
  }

  /** Waits for the reader's one conversation about the book to hold this many exchanges. */
  JsonNode awaitConversation(String isbn, int exchanges) {
    var found = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              var list = get("/api/user/history/").json();
              for (var conversation : list.path("results")) {
                if (conversation.path("isbn").asString().equals(isbn)
                    && conversation.path("exchange_count").asInt() == exchanges) {
                  found[0] = conversation;
                  return list.path("count").asInt() == 1;
                }
              }
              return false;
            });
    return found[0];
  }

  /** Asks about a book: the turns so far, alternating, ending with the reader's question. */
  EventStream ask(String isbn, List<String> turns, @Nullable String clientMsgId, String accept) {
    var messages = new ArrayList<Map<String, String>>();
    for (int i = 0; i < turns.size(); i++) {
      messages.add(Map.of("role", i % 2 == 0 ? "user" : "assistant", "content", turns.get(i)));
    }
    var body = new LinkedHashMap<String, Object>();
    body.put("isbn", isbn);
    body.put("messages", messages);
    if (clientMsgId != null) {
      body.put("client_msg_id", clientMsgId);
    }
    var request =
        request("/api/chat/stream/", accept)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    return EventStream.open(streams, request);
  }

  EventStream ask(String isbn, String question) {
    return ask(isbn, List.of(question), null, "text/event-stream");
  }

  /** Picks a dropped stream up again after the last event it got. */
  EventStream resume(String requestId, long lastEventId) {
    return EventStream.open(
        streams,
        request("/api/chat/stream/" + requestId + "/", "text/event-stream")
            .header("Last-Event-ID", Long.toString(lastEventId))
            .GET()
            .build());
  }

  JsonHttp.Answer cancel(String requestId) {
    return post("/api/chat/stream/" + requestId + "/cancel/", null);
  }

  private HttpRequest.Builder request(String path, String accept) {
    return HttpRequest.newBuilder(http.base().resolve(path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Accept", accept);
  }
}
