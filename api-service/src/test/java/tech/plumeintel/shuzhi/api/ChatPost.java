package tech.plumeintel.shuzhi.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new chat as a client starts it, for tests that read its answer as it streams: {@code POST
 * /api/chat/stream/} with the reader's token and a JSON question.
 */
public final class ChatPost {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ChatPost() {}

  /** One question, "q", about a book no other test asked about. */
  public static String question() {
    return question(null);
  }

  /** As {@link #question()}, sent with this client message id (when not null). */
  public static String question(@Nullable String clientMsgId) {
    var body = new LinkedHashMap<String, Object>();
    body.put("isbn", TestIsbns.next());
    if (clientMsgId != null) {
      body.put("client_msg_id", clientMsgId);
    }
    body.put("messages", List.of(Map.of("role", "user", "content", "q")));
    return JSON.writeValueAsString(body);
  }

  /** The request, for the caller to add to (a timeout) and build. */
  public static HttpRequest.Builder to(int port, String token, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat/stream/"))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }
}
