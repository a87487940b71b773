package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn;
import tech.plumeintel.shuzhi.testsupport.OpenAiStandIn.Behaviour;

/**
 * The model client against two and three OpenAI-compatible stand-ins over real HTTP: failover
 * before the first token, continuation after it, circuit breaking, keys taken in turn and keys let
 * go.
 */
class UpstreamFailoverIT {

  static final String REASONING = "先想一想这本书的结构。";
  static final String CONTENT = "这本书讲的是一个家族七代人的故事，魔幻与现实交织在一起。";
  static final Behaviour.Answer PRIMARY_ANSWER = Behaviour.Answer.of("primary-model", "", "");
  static final Duration WAIT = Duration.ofMillis(100);

  static final OpenAiStandIn first = OpenAiStandIn.start(answer("first-model"));
  static final OpenAiStandIn second = OpenAiStandIn.start(answer("second-model"));
  static final OpenAiStandIn third = OpenAiStandIn.start(answer("third-model"));

  final MeterRegistry meters = new SimpleMeterRegistry();

  @AfterAll
  static void stop() {
    first.close();
    second.close();
    third.close();
  }

  static Behaviour.Answer answer(String model) {
    return Behaviour.Answer.of(model, REASONING, CONTENT);
  }

  /**
   * The first and second stand-ins (and the third, with three), quick timeouts, a small breaker.
   */
  private ChatModel client(Map<String, String> more) {
    var values = new LinkedHashMap<String, String>();
    values.put("base-url", first.baseUrl());
    values.put("api-key", "sk-first-never-logged");
    values.put("fallbacks[0].base-url", second.baseUrl());
    values.put("fallbacks[0].api-key", "sk-second-never-logged");
    values.put("connect-timeout", "1s");
    values.put("first-token-timeout", "2s");
    values.put("idle-timeout", "2s");
    values.put("total-timeout", "20s");
    values.put("retry-backoff", "20ms");
    values.put("breaker.window", "3");
    values.put("breaker.minimum-attempts", "3");
    values.put("breaker.cool-down", "1s");
    values.putAll(more);
    return TestLlm.client(TestLlm.properties(values), meters);
  }

  private ChatModel client() {
    return client(Map.of());
  }

  private static Prompt prompt(String question) {
    return new Prompt(
        "9787544253994", null, "system", List.of(new ChatMessage(ChatMessage.Role.USER, question)));
  }

  private static String marker(String name) {
    return "[" + name + "-" + UUID.randomUUID() + "]";
  }

  /** What a reader would see: the texts after the last reset, and how many resets there were. */
  record Seen(String reasoning, String content, int resets, String model, String upstream) {}

  private static Seen read(ModelStream stream) throws ModelException {
    var reasoning = new StringBuilder();
    var content = new StringBuilder();
    int resets = 0;
    for (var event = stream.next(WAIT);
        !(event instanceof ModelEvent.End);
        event = stream.next(WAIT)) {
      switch (event) {
        case ModelEvent.Reasoning r -> reasoning.append(r.text());
        case ModelEvent.Content c -> content.append(c.text());
        case ModelEvent.Reset r -> {
          resets++;
          reasoning.setLength(0);
          content.setLength(0);
        }
        default -> {}
      }
    }
    return new Seen(
        reasoning.toString(), content.toString(), resets, stream.model(), stream.upstream());
  }

  private static Seen ask(ChatModel model, String question) throws ModelException {
    try (var stream = model.stream(prompt(question), "u1")) {
      return read(stream);
    }
  }

  private double count(String name, String... tags) {
    var counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @ParameterizedTest
  @ValueSource(strings = {"503", "429", "hang", "close"})
  void aFirstUpstreamFailingBeforeTheFirstTokenIsFailedOverAndTheSecondAnswersOnce(String failure)
      throws ModelException {
    var question = marker(failure);
    first.when(
        question,
        switch (failure) {
          case "503" -> new Behaviour.Status(503, "application/json", "{\"error\":{}}");
          case "429" -> new Behaviour.Status(429, "application/json", "{\"error\":{}}");
          case "hang" -> new Behaviour.Hang();
          default -> new Behaviour.Cut(List.of());
        });

    var seen = ask(client(), question);

    assertThat(seen.content()).isEqualTo(CONTENT);
    assertThat(seen.reasoning()).isEqualTo(REASONING);
    assertThat(seen.resets()).isZero();
    assertThat(seen.upstream()).isEqualTo("fallback-0");
    assertThat(seen.model())
        .as("the answering model names the final chunk")
        .isEqualTo("second-model");
    assertThat(first.requestsContaining(question)).hasSize(1);
    assertThat(second.requestsContaining(question)).hasSize(1);
    assertThat(count("shuzhi.llm.upstream.failovers", "from", "primary", "to", "fallback-0"))
        .isEqualTo(1);
    assertThat(
            count("shuzhi.llm.upstream.requests", "upstream", "fallback-0", "outcome", "answered"))
        .isEqualTo(1);
    assertThat(meters.find("shuzhi.llm.upstream.first.token").tag("upstream", "fallback-0").timer())
        .isNotNull();
    assertThat(count("shuzhi.llm.upstream.tokens", "upstream", "fallback-0", "kind", "cache_hit"))
        .isEqualTo(64);
  }

  @Test
  void withThreeUpstreamsTheThirdAnswersWhenTheFirstTwoFail() throws ModelException {
    var question = marker("three");
    first.when(question, new Behaviour.Status(503, "application/json", "{}"));
    second.when(question, new Behaviour.Status(502, "text/html", "<html>bad gateway</html>"));

    var seen =
        ask(
            client(
                Map.of(
                    "fallbacks[1].base-url", third.baseUrl(),
                    "fallbacks[1].api-key", "sk-third-never-logged",
                    "fallbacks[1].model", "third-configured")),
            question);

    assertThat(seen.content()).isEqualTo(CONTENT);
    assertThat(seen.upstream()).isEqualTo("fallback-1");
    assertThat(third.requestsContaining(question)).hasSize(1);
    assertThat(third.requestsContaining(question).getFirst().body().path("model").asString())
        .isEqualTo("third-configured");
    assertThat(
            third
                .requestsContaining(question)
                .getFirst()
                .body()
                .path("messages")
                .path(0)
                .toString())
        .as("the system prompt is the same bytes on every upstream (prompt cache)")
        .isEqualTo(
            first
                .requestsContaining(question)
                .getFirst()
                .body()
                .path("messages")
                .path(0)
                .toString());
  }

  @Test
  void anAnswerCutMidwayIsContinuedFromExactlyTheDeliveredTextOnTheNextUpstream()
      throws ModelException {
    var question = marker("cut");
    // Thinking (11 characters) and the first 9 characters of the answer, in pieces of three.
    first.when(question, answer("first-model").cutAfter(12 + 9));

    var seen = ask(client(), question);

    assertThat(seen.content()).as("prefix + continuation, exactly once").isEqualTo(CONTENT);
    assertThat(seen.reasoning()).isEqualTo(REASONING);
    assertThat(seen.resets()).isZero();
    var continuation = second.requestsContaining(question);
    assertThat(continuation).hasSize(1);
    assertThat(continuation.getFirst().path()).isEqualTo("/beta/chat/completions");
    assertThat(continuation.getFirst().prefix()).isEqualTo(CONTENT.substring(0, 9));
    assertThat(
            count("shuzhi.llm.upstream.continuations", "upstream", "fallback-0", "mode", "prefix"))
        .isEqualTo(1);
  }

  @Test
  void aCutDuringThinkingRestartsTheAnswerAfterOneReset() throws ModelException {
    var question = marker("thinking");
    first.when(question, answer("first-model").cutAfter(6));

    try (var stream = client().stream(prompt(question), "u1")) {
      var seen = read(stream);

      assertThat(seen.resets()).isEqualTo(1);
      assertThat(seen.reasoning()).isEqualTo(REASONING);
      assertThat(seen.content()).isEqualTo(CONTENT);
      assertThat(stream.continuations()).containsExactly("restart fallback-0");
    }
    assertThat(second.requestsContaining(question).getFirst().prefix()).isNull();
  }

  @Test
  void anUpstreamThatCannotContinueAPrefixRestartsWithOneReset() throws ModelException {
    var question = marker("restart");
    first.when(question, answer("first-model").cutAfter(12 + 9));

    var seen = ask(client(Map.of("fallbacks[0].continuation", "restart")), question);

    assertThat(seen.resets()).isEqualTo(1);
    assertThat(seen.content()).isEqualTo(CONTENT);
    assertThat(second.requestsContaining(question).getFirst().path())
        .isEqualTo("/chat/completions");
  }

  @Test
  void continuationsAreBoundedThenTheFailureIsReported() {
    var question = marker("always-cut");
    first.when(question, answer("first-model").cutAfter(12 + 3));
    second.when(question, answer("second-model").cutAfter(3));

    assertThatThrownBy(() -> ask(client(Map.of("max-continuations", "2")), question))
        .isInstanceOf(ModelException.class);
    assertThat(
            first.requestsContaining(question).size() + second.requestsContaining(question).size())
        .isEqualTo(3);
  }

  @Test
  void theBreakerOpensAfterRepeatedFailuresSkipsTheUpstreamThenProbesItAfterTheCoolDown()
      throws ModelException {
    var question = marker("breaker");
    first.when(question, new Behaviour.Status(503, "application/json", "{}"));
    var model = client();

    for (int i = 0; i < 3; i++) {
      assertThat(ask(model, question).upstream()).isEqualTo("fallback-0");
    }
    assertThat(first.requestsContaining(question)).hasSize(3);

    for (int i = 0; i < 3; i++) {
      assertThat(ask(model, question).upstream()).isEqualTo("fallback-0");
    }
    assertThat(first.requestsContaining(question))
        .as("skipped while open, without being asked")
        .hasSize(3);
    assertThat(
            meters
                .find("resilience4j.circuitbreaker.state")
                .tags("name", "primary", "state", "open")
                .gauge()
                .value())
        .isEqualTo(1);

    first.when(question, answer("first-model"));
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> ask(model, question).upstream().equals("primary"));
    assertThat(ask(model, question).upstream())
        .as("closed again after the probe")
        .isEqualTo("primary");
  }

  @Test
  void aProbeClosedBeforeItWasReadStillLetsTheBreakerCloseAgain() throws ModelException {
    var question = marker("unread-probe");
    first.when(question, new Behaviour.Status(503, "application/json", "{}"));
    var model = client();
    for (int i = 0; i < 3; i++) {
      ask(model, question);
    }
    first.when(question, answer("first-model"));
    // After the cool-down the next stream takes the half-open breaker's one probe; a job claimed
    // elsewhere closes its stream like this, before reading anything.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              model.stream(prompt(question), "u1").close();
              return meters
                      .find("resilience4j.circuitbreaker.state")
                      .tags("name", "primary", "state", "half_open")
                      .gauge()
                      .value()
                  == 1;
            });

    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .alias("the probe's permission came back: the primary is probed and answers again")
        .until(() -> ask(model, question).upstream().equals("primary"));
  }

  @Test
  void aSoleUpstreamIsStillAskedWhileItsBreakerIsOpen() throws ModelException {
    var question = marker("alone");
    first.when(question, new Behaviour.Status(503, "application/json", "{}"));
    var model =
        TestLlm.client(
            TestLlm.properties(
                Map.of(
                    "base-url", first.baseUrl(),
                    "api-key", "sk-first-never-logged",
                    "max-retries", "0",
                    "breaker.window", "3",
                    "breaker.minimum-attempts", "3",
                    "breaker.cool-down", "1h")),
            meters);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> ask(model, question)).isInstanceOf(ModelException.class);
    }

    first.when(question, answer("first-model"));

    assertThat(ask(model, question).content())
        .as("with nothing to prefer, an open breaker does not refuse every chat")
        .isEqualTo(CONTENT);
  }

  @Test
  void severalKeysOfOneHostTakeTurns() throws ModelException {
    var question = marker("keys");
    var model =
        client(Map.of("api-keys", "sk-one-never-logged,sk-two-never-logged,sk-three-never-logged"));

    for (int i = 0; i < 9; i++) {
      ask(model, question);
    }

    var perKey = new ArrayList<Integer>();
    for (var key :
        List.of(
            "sk-first-never-logged",
            "sk-one-never-logged",
            "sk-two-never-logged",
            "sk-three-never-logged")) {
      perKey.add(
          (int)
              first.requestsWithKey(key).stream()
                  .filter(r -> r.question().equals(question))
                  .count());
    }
    assertThat(perKey).as("9 requests over 4 keys").containsExactly(3, 2, 2, 2);
  }

  @Test
  void aRefusedKeyIsLetGoAndNeverUsedAgain() throws ModelException {
    var question = marker("401");
    first.refuseKey("sk-refused-never-logged", 401);
    var model = client(Map.of("api-keys", "sk-refused-never-logged"));

    for (int i = 0; i < 4; i++) {
      assertThat(ask(model, question).content()).isEqualTo(CONTENT);
    }

    assertThat(first.requestsWithKey("sk-refused-never-logged")).hasSize(1);
    assertThat(count("shuzhi.llm.upstream.keys.disabled", "upstream", "primary", "status", "401"))
        .isEqualTo(1);
    assertThat(
            meters
                .find("shuzhi.llm.upstream.keys.usable")
                .tag("upstream", "primary")
                .gauge()
                .value())
        .isEqualTo(1);
  }

  @Test
  void anExhaustedBalanceTakesTheUpstreamOutOfUse() throws ModelException {
    var question = marker("402");
    first.refuseKey("sk-broke-never-logged", 402);
    var model = client(Map.of("api-key", "sk-broke-never-logged"));

    for (int i = 0; i < 4; i++) {
      assertThat(ask(model, question).upstream()).isEqualTo("fallback-0");
    }

    assertThat(first.requestsWithKey("sk-broke-never-logged")).hasSize(1);
    assertThat(
            meters
                .find("shuzhi.llm.upstream.keys.usable")
                .tag("upstream", "primary")
                .gauge()
                .value())
        .isZero();
  }
}
