package tech.plumeintel.shuzhi.api.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tech.plumeintel.shuzhi.api.ApiIntegrationTest;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.TestIsbns;

/** History as the API serves it, over documents shaped as the chat-worker writes them. */
class HistoryIT extends ApiIntegrationTest {

  private static final String PATH = "/api/user/history/";

  @Autowired MongoDatabase database;

  private String userIdOf(String token) {
    return api().get("/api/user/profile/", token).json().path("id").asString();
  }

  /** What a chat-worker stores after {@code exchanges} answered questions about one book. */
  private String converse(String userId, int exchanges, Instant at) {
    var id = UUID.randomUUID().toString();
    var isbn = TestIsbns.next();
    database
        .getCollection(Conversation.COLLECTION, Conversation.class)
        .insertOne(
            new Conversation(
                id, userId, isbn, at, at.plusSeconds(exchanges), exchanges, "问题" + exchanges));
    for (int i = 1; i <= exchanges; i++) {
      database
          .getCollection(Exchange.COLLECTION, Exchange.class)
          .insertOne(
              new Exchange(
                  UUID.randomUUID().toString(),
                  id,
                  userId,
                  isbn,
                  "问题" + i,
                  "回答" + i,
                  "思考" + i,
                  Exchange.Status.completed,
                  new TokenUsage(10, 20, 5, 0, 10),
                  "deepseek-v4-flash",
                  at.plusSeconds(i),
                  at.plusSeconds(i),
                  at.plusSeconds(i)));
    }
    return id;
  }

  @Test
  void theListIsNewestFirstWithTheLastQuestionAndCount() {
    var token = loginAs("historian");
    var user = userIdOf(token);
    var now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    var older = converse(user, 1, now.minusSeconds(3600));
    var newer = converse(user, 3, now);

    var list = api().get(PATH, token).json();

    assertThat(list.path("count").asInt()).isEqualTo(2);
    assertThat(list.path("results").get(0).path("id").asString()).isEqualTo(newer);
    assertThat(list.path("results").get(0).path("exchange_count").asInt()).isEqualTo(3);
    assertThat(list.path("results").get(0).path("last_question").asString()).isEqualTo("问题3");
    assertThat(list.path("results").get(1).path("id").asString()).isEqualTo(older);
    assertThat(list.path("results").get(0).path("updated_at").asString()).endsWith("Z");
  }

  @Test
  void theDetailHasEveryExchangeInOrderWithReasoningApart() {
    var token = loginAs("reader-detail");
    var id = converse(userIdOf(token), 2, Instant.now());

    var detail = api().get(PATH + id + "/", token).json();

    assertThat(detail.path("exchanges").size()).isEqualTo(2);
    var first = detail.path("exchanges").get(0);
    assertThat(first.path("question").asString()).isEqualTo("问题1");
    assertThat(first.path("answer").asString()).isEqualTo("回答1");
    assertThat(first.path("reasoning").asString()).isEqualTo("思考1");
    assertThat(first.path("usage").path("prompt_tokens").asInt()).isEqualTo(10);
  }

  @Test
  void anotherReadersConversationIsNotFoundEverywhereAndSurvives() {
    var alice = loginAs("history-alice");
    var mallory = loginAs("history-mallory");
    var id = converse(userIdOf(alice), 1, Instant.now());

    assertThat(api().get(PATH, mallory).json().path("count").asInt()).isZero();
    assertThat(api().get(PATH + id + "/", mallory).status()).isEqualTo(404);
    assertThat(api().delete(PATH + id + "/", mallory).status()).isEqualTo(404);
    assertThat(api().get(PATH + id + "/", alice).status()).isEqualTo(200);
  }

  @Test
  void deletingRemovesTheConversationAndItsExchangesForGood() {
    var token = loginAs("history-deleter");
    var id = converse(userIdOf(token), 2, Instant.now());

    assertThat(api().delete(PATH + id + "/", token).status()).isEqualTo(200);

    assertThat(api().get(PATH + id + "/", token).status()).isEqualTo(404);
    assertThat(
            database
                .getCollection(Exchange.COLLECTION)
                .countDocuments(new Document("conversation_id", id)))
        .isZero();
    assertThat(api().delete(PATH + id + "/", token).status()).isEqualTo(404);
  }

  @Test
  void pagesOfHistory() {
    var token = loginAs("history-pager");
    var user = userIdOf(token);
    for (int i = 0; i < 3; i++) {
      converse(user, 1, Instant.now().plusSeconds(i));
    }
    var page = api().get(PATH + "?limit=2&offset=2", token).json();
    assertThat(page.path("count").asInt()).isEqualTo(3);
    assertThat(page.path("results").size()).isEqualTo(1);
    assertThat(page.path("next").isNull()).isTrue();
    assertThat(page.path("previous").asString()).contains("offset=0");
  }
}
