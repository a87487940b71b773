package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.api.web.RateLimits.Limit;
import tech.plumeintel.shuzhi.testsupport.CapturedLogs;
import tech.plumeintel.shuzhi.testsupport.TcpProxy;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;

/**
 * The lookup limit against the real Redis, with API instances made as the application makes them:
 * each its own connection and its own unsynchronised view. Every run uses fresh readers, so the
 * buckets that earlier runs left in Redis do not count. (The buckets refill once a minute; each
 * test is over in far less.)
 */
class RateLimitsIT {

  private static final int PER_MINUTE = 40;
  private static final int SLACK_PERCENT = 25;
  private static final int SLACK = 10;

  private final List<RedisClient> clients = new ArrayList<>();
  private final List<RateLimits> instances = new ArrayList<>();

  private RateLimits instance(int slackPercent) {
    var client = RedisClient.create(TestInfrastructure.shared().redisUrl());
    clients.add(client);
    var limits =
        new RateLimits(
            client,
            new LimitsProperties(60, 60, 20, PER_MINUTE, slackPercent, 200_000, 1000, List.of()),
            new SimpleMeterRegistry(),
            java.time.Clock.systemUTC());
    instances.add(limits);
    return limits;
  }

  @AfterEach
  void close() {
    instances.forEach(RateLimits::close);
    clients.forEach(RedisClient::shutdown);
  }

  private static String reader() {
    return "reader-" + System.nanoTime();
  }

  private static boolean passes(RateLimits limits, String reader) {
    try {
      limits.take(Limit.LOOKUP_USER, reader);
      return true;
    } catch (ApiException e) {
      assertThat(e.getMessage()).isNotBlank();
      return false;
    }
  }

  @Test
  void theSlackIsItsShareOfTheLimit() {
    assertThat(instance(SLACK_PERCENT).lookupSlack()).isEqualTo(SLACK);
    assertThat(instance(0).lookupSlack()).isZero();
    assertThat(instance(1).lookupSlack()).isEqualTo(1);
  }

  @Test
  void oneInstanceIsExactDespiteItsSlack() {
    var limits = instance(SLACK_PERCENT);
    var reader = reader();

    for (int i = 0; i < PER_MINUTE; i++) {
      assertThat(passes(limits, reader)).as("lookup %d", i + 1).isTrue();
    }
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> limits.take(Limit.LOOKUP_USER, reader))
          .isInstanceOf(ApiException.class);
    }
  }

  @Test
  void twoInstancesShareOneBudgetAndOvershootItByAtMostTheSlack() {
    var first = instance(SLACK_PERCENT);
    var second = instance(SLACK_PERCENT);
    var reader = reader();

    int passed = 0;
    for (int i = 0; i < 3 * PER_MINUTE; i++) {
      passed += passes(i % 2 == 0 ? first : second, reader) ? 1 : 0;
    }

    // A limiter that counted per instance would let 2 × 40 through.
    assertThat(passed).isBetween(PER_MINUTE, PER_MINUTE + SLACK);
    assertThat(passes(first, reader)).isFalse();
    assertThat(passes(second, reader)).isFalse();
  }

  @Test
  void concurrentLookupsOnTwoInstancesStayWithinTheBudgetAndTheSlack() throws Exception {
    var first = instance(SLACK_PERCENT);
    var second = instance(SLACK_PERCENT);
    var reader = reader();
    var passed = new AtomicInteger();
    var calls = new ArrayList<Callable<Boolean>>();
    for (int i = 0; i < 3 * PER_MINUTE; i++) {
      var limits = i % 2 == 0 ? first : second;
      calls.add(() -> passes(limits, reader));
    }

    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (var result : pool.invokeAll(calls)) {
        passed.addAndGet(result.get() ? 1 : 0);
      }
    }

    assertThat(passed.get()).isBetween(PER_MINUTE, PER_MINUTE + SLACK);
  }

  @Test
  void withoutSlackEveryLookupIsCheckedInRedis() {
    var first = instance(0);
    var second = instance(0);
    var reader = reader();

    int passed = 0;
    for (int i = 0; i < 2 * PER_MINUTE; i++) {
      passed += passes(i % 2 == 0 ? first : second, reader) ? 1 : 0;
    }

    assertThat(passed).isEqualTo(PER_MINUTE);
  }

  @Test
  void aChatRefusedForOneLimitCountsAgainstNeither() {
    var limits =
        new RateLimits(
            client(),
            new LimitsProperties(2, 5, 20, PER_MINUTE, 0, 200_000, 1000, List.of()),
            new SimpleMeterRegistry(),
            java.time.Clock.systemUTC());
    instances.add(limits);
    var address = "address-" + System.nanoTime();
    var reader = reader();

    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () -> limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address))
          .as("the reader's third chat and more")
          .isInstanceOf(ApiException.class);
    }

    // The address had 5: two went to the reader's chats, none to its refused ones.
    for (int i = 0; i < 3; i++) {
      limits.takeBoth(Limit.CHAT_USER, reader(), Limit.CHAT_ADDRESS, address);
    }
    assertThatThrownBy(
            () -> limits.takeBoth(Limit.CHAT_USER, reader(), Limit.CHAT_ADDRESS, address))
        .as("the address's sixth chat")
        .isInstanceOf(ApiException.class);
  }

  private RateLimits chatLimits(int perReader, int perAddress) {
    var limits =
        new RateLimits(
            client(),
            new LimitsProperties(
                perReader, perAddress, 20, PER_MINUTE, 0, 200_000, 1000, List.of()),
            new SimpleMeterRegistry(),
            java.time.Clock.systemUTC());
    instances.add(limits);
    return limits;
  }

  @Test
  void aChatRefusedForItsAddressLeavesTheReadersChats() {
    var limits = chatLimits(3, 1);
    var address = "address-" + System.nanoTime();
    var reader = reader();

    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () -> limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address))
          .isInstanceOf(ApiException.class);
    }

    // The reader had 3: one went to the chat that passed, none to the refused ones.
    var elsewhere = "address-" + System.nanoTime() + "-b";
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, elsewhere);
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, elsewhere + "c");
    assertThatThrownBy(
            () -> limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, elsewhere + "d"))
        .as("the reader's fourth chat")
        .isInstanceOf(ApiException.class);
  }

  @Test
  void aRefusedChatIsToldToComeBackWhenItsMinuteIsOver() {
    var limits = chatLimits(1, 10);
    var reader = reader();
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, "address-" + System.nanoTime());

    assertThatThrownBy(
            () ->
                limits.takeBoth(
                    Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, "address-" + System.nanoTime()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e ->
                assertThat(e.retryAfter())
                    .isBetween(java.time.Duration.ofSeconds(55), java.time.Duration.ofSeconds(61)));
  }

  @Test
  void aBucketPastItsMinuteIsWholeAgain() {
    var limits = chatLimits(2, 10);
    var reader = reader();
    var address = "address-" + System.nanoTime();
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    assertThatThrownBy(() -> limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address))
        .isInstanceOf(ApiException.class);

    // The reader's window began a minute and a second ago, as far as Redis knows.
    try (var redis = client().connect()) {
      var key = RateLimits.windowKey(Limit.CHAT_USER, reader);
      long start = Long.parseLong(redis.sync().hget(key, "start"));
      redis.sync().hset(key, "start", Long.toString(start - 61_000));
    }

    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address);
    assertThatThrownBy(() -> limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address))
        .as("two again, not more")
        .isInstanceOf(ApiException.class);
  }

  @Test
  void chatLimitsStillCountAfterRedisForgetsItsScripts() {
    var limits = chatLimits(1, 10);
    var reader = reader();
    limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, "address-" + System.nanoTime());

    try (var redis = client().connect()) {
      redis.sync().scriptFlush();
    }

    assertThatThrownBy(
            () ->
                limits.takeBoth(
                    Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, "address-" + System.nanoTime()))
        .as("refused, not let through as if Redis were down")
        .isInstanceOf(ApiException.class);
  }

  @Test
  void anAdmittedChatWritesItsRecordInTheSameCallAndARefusedOneWritesNone() {
    var limits = chatLimits(1, 10);
    var reader = reader();
    var address = "address-" + System.nanoTime();
    var admitted = record("first");
    var refused = record("second");

    var answer = chat(limits, reader, address, opening(admitted));
    assertThatThrownBy(() -> chat(limits, reader, address, opening(refused)))
        .isInstanceOf(ApiException.class);

    assertThat(answer).isInstanceOf(RateLimits.Admitted.Opened.class);
    try (var redis = client().connect()) {
      assertThat(redis.sync().hgetall(admitted.key()))
          .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("user", "reader", "isbn", "first"));
      assertThat(redis.sync().pttl(admitted.key())).isBetween(50_000L, 60_000L);
      assertThat(redis.sync().exists(refused.key())).isZero();
    }
  }

  @Test
  void aClaimHeldByAnEarlierChatIsNamedAndItsRepeatWritesNothing() {
    var limits = chatLimits(10, 10);
    var reader = reader();
    var address = "address-" + System.nanoTime();
    var claimKey = "test:claim:" + System.nanoTime();
    var first = record("first");
    var repeat = record("repeat");

    var firstAnswer =
        chat(
            limits,
            reader,
            address,
            new RateLimits.Admission(null, claim(claimKey, "stream-1"), first));
    var repeatAnswer =
        chat(
            limits,
            reader,
            address,
            new RateLimits.Admission(null, claim(claimKey, "stream-2"), repeat));

    assertThat(firstAnswer).isInstanceOf(RateLimits.Admitted.Opened.class);
    assertThat(repeatAnswer).isEqualTo(new RateLimits.Admitted.Held("stream-1"));
    try (var redis = client().connect()) {
      assertThat(redis.sync().get(claimKey)).isEqualTo("stream-1");
      assertThat(redis.sync().pttl(claimKey)).isBetween(50_000L, 60_000L);
      assertThat(redis.sync().exists(first.key())).isOne();
      assertThat(redis.sync().exists(repeat.key())).as("the repeat's record").isZero();
    }
  }

  @Test
  void aNumberAtItsCeilingRefusesBeforeEitherBucketIsTakenFrom() {
    var limits = chatLimits(1, 10);
    var reader = reader();
    var address = "address-" + System.nanoTime();
    var spent = "test:spent:" + System.nanoTime();
    var refused = record("refused");
    var claimKey = "test:claim:" + System.nanoTime();
    try (var redis = client().connect()) {
      redis.sync().set(spent, "1000");

      var atCeiling =
          chat(
              limits,
              reader,
              address,
              new RateLimits.Admission(
                  new RateLimits.Ceiling(spent, 1000), claim(claimKey, "stream-1"), refused));
      var belowIt =
          chat(
              limits,
              reader,
              address,
              new RateLimits.Admission(
                  new RateLimits.Ceiling(spent, 1001), null, record("admitted")));
      var absent =
          chat(
              limits,
              reader(),
              address,
              new RateLimits.Admission(
                  new RateLimits.Ceiling(spent + ":absent", 1), null, record("absent")));

      assertThat(atCeiling).isEqualTo(new RateLimits.Admitted.AtCeiling(1000));
      assertThat(redis.sync().exists(refused.key(), claimKey)).as("nothing written").isZero();
      // The reader's one chat of the minute was left for the chat below the ceiling.
      assertThat(belowIt).isInstanceOf(RateLimits.Admitted.Opened.class);
      assertThat(absent).as("an absent number is 0").isInstanceOf(RateLimits.Admitted.Opened.class);
    }
  }

  @Test
  void aRecordIsNotClaimedWrittenWhenRedisCouldNotBeAsked() {
    var redis = java.net.URI.create(TestInfrastructure.shared().redisUrl());
    try (var proxy = new TcpProxy(redis.getHost(), redis.getPort())) {
      var limits = limitsThrough(proxy);
      proxy.cut();
      var down = record("down");
      var claimKey = "test:claim:" + System.nanoTime();

      assertThat(
              chat(
                  limits,
                  reader(),
                  "198.18.0.2",
                  new RateLimits.Admission(null, claim(claimKey, "stream-1"), down)))
          .as("failed open")
          .isInstanceOf(RateLimits.Admitted.NotAsked.class);
      try (var direct = client().connect()) {
        assertThat(direct.sync().exists(down.key(), claimKey)).as("nothing written").isZero();
      }
    }
  }

  /** A chat from {@code reader} at {@code address} with what it checks and opens. */
  private static RateLimits.Admitted chat(
      RateLimits limits, String reader, String address, RateLimits.Admission admission) {
    return limits.takeBoth(Limit.CHAT_USER, reader, Limit.CHAT_ADDRESS, address, admission);
  }

  private static RateLimits.Admission opening(RateLimits.AdmittedRecord record) {
    return new RateLimits.Admission(null, null, record);
  }

  private static RateLimits.Claim claim(String key, String holder) {
    return new RateLimits.Claim(key, holder, java.time.Duration.ofMinutes(1));
  }

  private static RateLimits.AdmittedRecord record(String isbn) {
    return new RateLimits.AdmittedRecord(
        "test:admitted:" + System.nanoTime(),
        List.of("user", "reader", "isbn", isbn),
        java.time.Duration.ofMinutes(1));
  }

  /**
   * An instance whose Redis is behind {@code proxy}, and that does not reconnect once it is cut.
   */
  private RateLimits limitsThrough(TcpProxy proxy) {
    var client = RedisClient.create("redis://127.0.0.1:" + proxy.port());
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .autoReconnect(false)
            .build());
    clients.add(client);
    var limits =
        new RateLimits(
            client,
            new LimitsProperties(60, 60, 20, PER_MINUTE, 0, 200_000, 1000, List.of()),
            new SimpleMeterRegistry(),
            java.time.Clock.systemUTC());
    instances.add(limits);
    return limits;
  }

  private RedisClient client() {
    var client = RedisClient.create(TestInfrastructure.shared().redisUrl());
    clients.add(client);
    return client;
  }

  @Test
  void aRedisOutageLogsOneWarningNotOnePerRequest() {
    var redis = java.net.URI.create(TestInfrastructure.shared().redisUrl());
    try (var proxy = new TcpProxy(redis.getHost(), redis.getPort());
        var logs = CapturedLogs.start()) {
      var limits = limitsThrough(proxy);
      assertThat(passes(limits, reader())).isTrue();

      proxy.cut();
      for (int i = 0; i < 30; i++) {
        assertThat(passes(limits, reader())).as("fails open").isTrue();
      }
      // Both of a chat's limits fail open too.
      limits.takeBoth(Limit.CHAT_USER, reader(), Limit.CHAT_ADDRESS, "198.18.0.1");

      assertThat(logs.linesContaining("not checked")).hasSize(1);
    }
  }
}
