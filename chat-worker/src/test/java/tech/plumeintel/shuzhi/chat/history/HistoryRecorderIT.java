package tech.plumeintel.shuzhi.chat.history;

import static com.mongodb.client.model.Filters.eq;
import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.history.Conversation;
import tech.plumeintel.shuzhi.common.history.Exchange;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.platform.IdGenerator;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.TcpProxy;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/** History writes on a real Mongo-wire store. */
class HistoryRecorderIT {

  static final MongoClient client =
      MongoClients.create(TestInfrastructure.shared().mongoUri("history_it"));
  static final MongoDatabase database = client.getDatabase("history_it");
  final HistoryRecorder recorder =
      new HistoryRecorder(
          database, new IdGenerator(), new HistoryProperties(ofSeconds(5), ofMillis(100)));

  @AfterAll
  static void close() {
    client.close();
  }

  private static Exchange exchange(String user, String question) {
    var now = Instant.now();
    return new Exchange(
        UUID.randomUUID().toString(),
        "",
        user,
        "9787544253994",
        question,
        "答案",
        "思考",
        Exchange.Status.completed,
        new TokenUsage(10, 20, 5, 4, 6),
        "deepseek-v4-flash",
        now.minusSeconds(3),
        now.minusSeconds(2),
        now);
  }

  private static long conversationsOf(String user) {
    return database.getCollection(Conversation.COLLECTION).countDocuments(eq("user_id", user));
  }

  private static Conversation conversationOf(String user) {
    return database
        .getCollection(Conversation.COLLECTION, Conversation.class)
        .find(eq("user_id", user))
        .first();
  }

  @Test
  void firstExchangesRacingEachOtherShareOneConversation() throws Exception {
    var user = "user-" + UUID.randomUUID();
    var tasks = new ArrayList<Callable<String>>();
    for (int i = 0; i < 8; i++) {
      var exchange = exchange(user, "问题" + i);
      tasks.add(() -> recorder.record(exchange));
    }

    var ids = new ArrayList<String>();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var result : threads.invokeAll(tasks)) {
        ids.add(result.get());
      }
    }

    assertThat(conversationsOf(user)).isEqualTo(1);
    assertThat(ids).containsOnly(conversationOf(user).id());
    assertThat(conversationOf(user).exchangeCount()).isEqualTo(8);
    assertThat(
            database
                .getCollection(Exchange.COLLECTION)
                .countDocuments(eq("conversation_id", conversationOf(user).id())))
        .isEqualTo(8);
  }

  @Test
  void sameExchangeRecordedTwiceIsStoredAndCountedOnce() {
    var user = "user-" + UUID.randomUUID();
    var exchange = exchange(user, "问题");

    recorder.record(exchange);
    recorder.record(exchange);

    assertThat(conversationOf(user).exchangeCount()).isEqualTo(1);
    var stored =
        database
            .getCollection(Exchange.COLLECTION, Exchange.class)
            .find(eq("_id", exchange.requestId()))
            .first();
    assertThat(stored).isNotNull();
    assertThat(stored.conversationId()).isEqualTo(conversationOf(user).id());
    assertThat(stored.status()).isEqualTo(Exchange.Status.completed);
    assertThat(stored.usage()).isEqualTo(new TokenUsage(10, 20, 5, 4, 6));
    assertThat(
            database
                .getCollection(Exchange.COLLECTION)
                .find(eq("_id", exchange.requestId()))
                .first()
                .getString("status"))
        .isEqualTo("completed");
  }

  @Test
  void anExchangeEndedWhileTheStoreIsUnreachableIsStoredOnceItIsBack() throws Exception {
    var mongo = URI.create(TestInfrastructure.shared().mongoUri("history_it"));
    try (var proxy = new TcpProxy(mongo.getHost(), mongo.getPort());
        var throughProxy = viaProxy(proxy);
        var logs = CapturedLogs.start()) {
      var cutOff =
          new HistoryRecorder(
              throughProxy.getDatabase("history_it"),
              new IdGenerator(),
              new HistoryProperties(ofSeconds(20), ofMillis(100)));
      var user = "user-" + UUID.randomUUID();
      var exchange = exchange(user, "断线时问的");

      proxy.cut();
      var recorded = CompletableFuture.supplyAsync(() -> cutOff.record(exchange));
      await()
          .atMost(ofSeconds(10))
          .until(
              () -> !logs.linesContaining(exchange.requestId() + "'s lookup not done").isEmpty());
      assertThat(recorded).isNotDone();
      proxy.reconnect();

      assertThat(recorded.get(20, TimeUnit.SECONDS)).isEqualTo(conversationOf(user).id());
      assertThat(
              database
                  .getCollection(Exchange.COLLECTION, Exchange.class)
                  .countDocuments(eq("_id", exchange.requestId())))
          .isEqualTo(1);
      assertThat(conversationOf(user).exchangeCount()).isEqualTo(1);
    }
  }

  @Test
  void aStoreThatStaysUnreachableFailsTheRecordOnceItsRetryTimeIsUp() {
    var mongo = URI.create(TestInfrastructure.shared().mongoUri("history_it"));
    try (var proxy = new TcpProxy(mongo.getHost(), mongo.getPort());
        var throughProxy = viaProxy(proxy)) {
      var cutOff =
          new HistoryRecorder(
              throughProxy.getDatabase("history_it"),
              new IdGenerator(),
              new HistoryProperties(ofSeconds(1), ofMillis(50)));
      proxy.cut();

      var started = System.nanoTime();
      assertThatThrownBy(() -> cutOff.record(exchange("user-" + UUID.randomUUID(), "一直断线")))
          .isInstanceOf(MongoException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(ofSeconds(10));
    }
  }

  /** A client as the worker's, with a short server selection so that a try gives up quickly. */
  private static MongoClient viaProxy(TcpProxy proxy) {
    return MongoClients.create(
        MongoClientSettings.builder()
            .applyConnectionString(
                new ConnectionString("mongodb://127.0.0.1:" + proxy.port() + "/history_it"))
            .applyToClusterSettings(
                cluster -> cluster.serverSelectionTimeout(300, TimeUnit.MILLISECONDS))
            .applyToSocketSettings(
                socket ->
                    socket
                        .connectTimeout(300, TimeUnit.MILLISECONDS)
                        .readTimeout(2, TimeUnit.SECONDS))
            .build());
  }

  @Test
  void conversationIsUniquePerUserAndBookAndListedByRecency() {
    var indexes = new ArrayList<String>();
    database
        .getCollection(Conversation.COLLECTION)
        .listIndexes()
        .forEach(index -> indexes.add(index.toJson()));

    assertThat(indexes)
        .anySatisfy(
            index ->
                assertThat(index).contains("\"user_id\": 1", "\"isbn\": 1", "\"unique\": true"));
  }
}
