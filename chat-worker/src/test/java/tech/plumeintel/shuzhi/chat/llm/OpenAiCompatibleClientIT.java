package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.history.TokenUsage;
import tech.plumeintel.shuzhi.testsupport.FreePorts;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;

/** The client alone over real HTTP: streaming, timeouts, retries, failures and aborts. */
class OpenAiCompatibleClientIT {

  static final OpenAiStandIn standIn =
      OpenAiStandIn.start(new Behaviour.Replay(Fixtures.chunks(Fixtures.REASONER), Duration.ZERO));
  static final Duration WAIT = Duration.ofMillis(100);

  @AfterAll
  static void stop() {
    standIn.close();
  }

  private static ChatModel client(String baseUrl, Duration firstToken, Duration idle, int retries) {
    return TestLlm.client(
        TestLlm.properties(
            Map.of(
                "base-url", baseUrl,
                "api-key", "sk-client-it",
                "connect-timeout", "1s",
                "first-token-timeout", firstToken.toMillis() + "ms",
                "idle-timeout", idle.toMillis() + "ms",
                "total-timeout", "20s",
                "max-retries", Integer.toString(retries),
                "retry-backoff", "20ms",
                "max-continuations", "0")));
  }

  private static ChatModel client() {
    return client(standIn.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5), 2);
  }

  private static Prompt prompt(String question) {
    return new Prompt(
        "9787544253994", null, "system", List.of(new ChatMessage(ChatMessage.Role.USER, question)));
  }

  /** A question unique to the test, carrying the stand-in's behaviour marker. */
  private static String question(String marker, Behaviour behaviour) {
    var unique = marker + UUID.randomUUID();
    standIn.when(unique, behaviour);
    return unique;
  }

  private static List<ModelEvent> drain(ModelStream stream) throws ModelException {
    var events = new ArrayList<ModelEvent>();
    for (var event = stream.next(WAIT);
        !(event instanceof ModelEvent.End);
        event = stream.next(WAIT)) {
      events.add(event);
    }
    return events;
  }

  @Test
  void streamsTheRecordedAnswerAsEventsAndNamesTheModel() throws ModelException {
    try (var stream = client().stream(prompt("[plain]"), "u1")) {
      var events = drain(stream);

      assertThat(events).filteredOn(e -> e instanceof ModelEvent.Reasoning).hasSizeGreaterThan(100);
      assertThat(events).filteredOn(e -> e instanceof ModelEvent.Content).isNotEmpty();
      assertThat(events)
          .endsWith(
              new ModelEvent.Finished("stop"),
              new ModelEvent.Usage(new TokenUsage(18, 219, 205, 0, 18)));
      assertThat(stream.model()).isEqualTo("deepseek-reasoner");
      assertThat(stream.next(WAIT)).isInstanceOf(ModelEvent.End.class);
    }
  }

  @Test
  void finishedAnswersLeaveTheirConnectionForTheNextRequest() throws Exception {
    var model = client();
    var chunks = Fixtures.chunks(Fixtures.REASONER);
    // The answer's first and last chunks (its finish and usage), the end of the body 100 ms after
    // [DONE]: the client has read the whole answer long before its connection is free again.
    var answer = new ArrayList<>(chunks.subList(0, 3));
    answer.addAll(chunks.subList(chunks.size() - 2, chunks.size()));
    var question = question("[reused]", new Behaviour.Replay(answer, Duration.ofMillis(100)));

    for (int i = 0; i < 3; i++) {
      try (var stream = model.stream(prompt(question), "u1")) {
        assertThat(drain(stream)).isNotEmpty();
      }
      // The next request waits for the body's end: one sent before it would need a second
      // connection however the first was treated.
      Thread.sleep(300);
    }

    assertThat(standIn.requestsContaining(question))
        .hasSize(3)
        .extracting(OpenAiStandIn.Recorded::from)
        .containsOnly(standIn.requestsContaining(question).getFirst().from());
  }

  @Test
  void keepAlivesAreSilenceAndTheFirstTokenTimeoutClosesTheConnection() {
    var question = question("[queued]", new Behaviour.Stall(List.of()));
    var silences = new ArrayList<ModelEvent>();

    try (var stream =
        client(standIn.baseUrl(), Duration.ofMillis(500), Duration.ofSeconds(5), 0).stream(
            prompt(question), "u1")) {
      assertThatThrownBy(
              () -> {
                while (true) {
                  silences.add(stream.next(WAIT));
                }
              })
          .isInstanceOfSatisfying(
              ModelException.class,
              e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.TIMEOUT));
    }

    assertThat(silences).isNotEmpty().allMatch(e -> e instanceof ModelEvent.Silence);
    await().atMost(Duration.ofSeconds(2)).until(() -> standIn.closedAt(question).isPresent());
  }

  @Test
  void silenceAfterTokensRunsOutTheIdleTimeout() {
    var question =
        question("[idle]", new Behaviour.Stall(Fixtures.chunks(Fixtures.REASONER).subList(0, 4)));

    try (var stream =
        client(standIn.baseUrl(), Duration.ofSeconds(5), Duration.ofMillis(300), 0).stream(
            prompt(question), "u1")) {
      assertThatThrownBy(() -> drain(stream))
          .isInstanceOfSatisfying(
              ModelException.class, e -> assertThat(e).hasMessageContaining("idle"));
    }
  }

  @Test
  void rateLimitIsRetriedBeforeTheFirstTokenThenReported() {
    var question =
        question(
            "[429]",
            new Behaviour.Status(
                429,
                "application/json",
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}"));

    try (var stream = client().stream(prompt(question), "u1")) {
      assertThatThrownBy(() -> drain(stream))
          .isInstanceOfSatisfying(
              ModelException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ModelException.Kind.REJECTED);
                assertThat(e.status()).isEqualTo(429);
                assertThat(e).hasMessageContaining("rate_limit_error");
              });
    }
    assertThat(standIn.requestsContaining(question)).hasSize(3);
  }

  @Test
  void insufficientBalanceIsNotRetried() {
    var question =
        question(
            "[402]",
            new Behaviour.Status(
                402,
                "application/json",
                "{\"error\":{\"message\":\"Insufficient Balance\",\"type\":\"unknown_error\"}}"));

    try (var stream = client().stream(prompt(question), "u1")) {
      assertThatThrownBy(() -> drain(stream))
          .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.status()).isEqualTo(402));
    }
    assertThat(standIn.requestsContaining(question)).hasSize(1);
  }

  @Test
  void anErrorPageThatNeverEndsIsReportedByItsStatusAtOnce() {
    var question = question("[endless]", new Behaviour.EndlessError(502));

    try (var stream = client().stream(prompt(question), "u1")) {
      // Within the first-token timeout (5 s): reading the page to its end would hit it instead.
      assertThatThrownBy(() -> stream.next(Duration.ofSeconds(3)))
          .isInstanceOfSatisfying(
              ModelException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ModelException.Kind.REJECTED);
                assertThat(e.status()).isEqualTo(502);
              });
    }
  }

  @Test
  void htmlPageInsteadOfAStreamIsAFailure() {
    var question =
        question(
            "[html]",
            new Behaviour.Status(200, "text/html", "<html><body>captive portal</body></html>"));

    try (var stream = client().stream(prompt(question), "u1")) {
      assertThatThrownBy(() -> drain(stream))
          .isInstanceOfSatisfying(
              ModelException.class,
              e ->
                  assertThat(e)
                      .hasMessageContaining("text/html")
                      .hasMessageNotContaining("portal"));
    }
  }

  @Test
  void unreachableEndpointIsUnavailable() {
    var closedPort = "http://127.0.0.1:" + FreePorts.pick();

    try (var stream =
        client(closedPort, Duration.ofSeconds(5), Duration.ofSeconds(5), 1).stream(
            prompt("[refused]"), "u1")) {
      assertThatThrownBy(() -> drain(stream))
          .isInstanceOfSatisfying(
              ModelException.class,
              e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.UNAVAILABLE));
    }
  }

  @Test
  void closingBeforeAnyAnswerWakesTheReaderAtOnce() throws InterruptedException {
    var question = question("[hang]", new Behaviour.Hang());
    var stream = client().stream(prompt(question), "u1");
    var failure = new ArrayList<Throwable>();
    var reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    while (true) {
                      stream.next(Duration.ofSeconds(10));
                    }
                  } catch (ModelException e) {
                    failure.add(e);
                  }
                });
    await().until(() -> !standIn.requestsContaining(question).isEmpty());

    stream.close();

    assertThat(reader.join(Duration.ofMillis(500))).isTrue();
    assertThat(failure)
        .singleElement()
        .isInstanceOfSatisfying(
            ModelException.class, e -> assertThat(e.kind()).isEqualTo(ModelException.Kind.CLOSED));
  }
}
