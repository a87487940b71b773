package tech.plumeintel.shuzhi.platform.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.platform.wechat.ContentSecurityProperties.FailurePolicy;
import tech.plumeintel.shuzhi.testsupport.HandClock;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.WechatServerStandIn;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/**
 * Several instances of the token service, each with its own Redis connection as separate processes
 * would have, against one Redis and the WeChat stand-in over real HTTP.
 */
class SharedAccessTokenIT {

  static final Duration VALIDITY = Duration.ofSeconds(7200);
  static final Duration REFRESH_AHEAD = Duration.ofMinutes(3);
  static final String OPENID = "o-token-reader";

  final HandClock clock = new HandClock(Instant.parse("2026-12-04T08:00:00Z"));
  final WechatStandIn wechat = new WechatStandIn(clock::instant);
  final WechatServerStandIn server = wechat.server().tokensValidFor(VALIDITY);
  final List<LettuceConnectionFactory> connections = new ArrayList<>();

  @BeforeEach
  void freshRedis() {
    redis().delete("wechat:access-token:" + WechatStandIn.APP_ID);
  }

  @AfterEach
  void close() {
    // The key is the app's: tests of other modules on the same Redis must not find this clock's.
    redis().delete("wechat:access-token:" + WechatStandIn.APP_ID);
    connections.forEach(LettuceConnectionFactory::destroy);
    wechat.close();
  }

  @Test
  void instancesOverOneRedisFetchTheTokenOncePerExpiry() throws Exception {
    var instances = List.of(tokens(), tokens(), tokens(), tokens());

    var first = concurrently(instances, 8, SharedAccessToken::current);
    assertThat(first).hasSize(1);
    assertThat(server.stableTokenCalls()).isEqualTo(1);

    clock.advance(VALIDITY.minus(REFRESH_AHEAD).minusSeconds(10));
    assertThat(concurrently(instances, 8, SharedAccessToken::current)).isEqualTo(first);
    assertThat(server.stableTokenCalls()).as("not yet due").isEqualTo(1);

    clock.advance(Duration.ofSeconds(20));
    // While one instance renews, the others go on with the old token, valid for minutes yet.
    concurrently(instances, 8, SharedAccessToken::current);
    var second = concurrently(instances, 8, SharedAccessToken::current);
    assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
    assertThat(server.stableTokenCalls()).as("one renewal for all instances").isEqualTo(2);
    assertThat(server.forcedRefreshes()).isZero();
  }

  @Test
  void aTokenWeChatRejectsIsReplacedByOneForcedRefreshAcrossInstances() throws Exception {
    var instances = List.of(checks(), checks(), checks(), checks());
    concurrently(instances, 1, c -> c.check(CheckTarget.QUESTION, OPENID, 2, "你好"));
    server.invalidateTokens();

    var verdicts =
        concurrently(instances, 6, c -> c.check(CheckTarget.QUESTION, OPENID, 2, "这本书讲了什么"));

    assertThat(verdicts).containsExactly(Verdict.PASS);
    assertThat(server.forcedRefreshes()).as("one forced refresh for every rejection").isEqualTo(1);
    assertThat(server.stableTokenCalls()).isEqualTo(2);
  }

  @Test
  void verdictsFollowWeChatsSuggestion() {
    var checks = checks();
    assertThat(checks.check(CheckTarget.ANSWER, OPENID, 2, "一本好书")).isEqualTo(Verdict.PASS);
    assertThat(checks.check(CheckTarget.ANSWER, OPENID, 2, "x " + WechatServerStandIn.REVIEW))
        .isEqualTo(new Verdict.Review(20002));
    assertThat(checks.check(CheckTarget.ANSWER, OPENID, 2, "x " + WechatServerStandIn.RISKY))
        .isEqualTo(new Verdict.Risky(20001));
  }

  @Test
  void aLongTextIsCheckedInPiecesWeChatAcceptsAndJudgedByItsWorst() {
    var checks = checks();
    var text = "好".repeat(6000) + WechatServerStandIn.RISKY;

    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, text))
        .isEqualTo(new Verdict.Risky(20001));
    assertThat(server.checkCalls()).isEqualTo(3);
  }

  @Test
  void aBusyWeChatIsAskedOnceMoreThenTheTextIsUnchecked() {
    var checks = checks();
    server.failChecks(WechatServerStandIn.Failure.BUSY, 1);
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好")).isEqualTo(Verdict.PASS);
    assertThat(server.checkCalls()).isEqualTo(2);

    server.failChecks(WechatServerStandIn.Failure.BUSY, 5);
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好"))
        .isEqualTo(new Verdict.Unchecked("busy"));
    assertThat(server.checkCalls()).as("at most one retry").isEqualTo(4);
  }

  @Test
  void aRateLimitIsNotRetried() {
    var checks = checks();
    server.failChecks(WechatServerStandIn.Failure.RATE_LIMITED, 5);

    assertThat(checks.check(CheckTarget.ANSWER, OPENID, 2, "你好"))
        .isEqualTo(new Verdict.Unchecked("rate_limited"));
    assertThat(server.checkCalls()).isEqualTo(1);
  }

  @Test
  void aSlowOrFailingWeChatLeavesTheTextUncheckedWithinTheTimeout() {
    var checks = checks();
    server.slowBy(Duration.ofSeconds(3));
    server.failAllChecks(WechatServerStandIn.Failure.SLOW);
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好"))
        .isEqualTo(new Verdict.Unchecked("timeout"));

    server.failAllChecks(WechatServerStandIn.Failure.UNAVAILABLE);
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好"))
        .isEqualTo(new Verdict.Unchecked("http"));
  }

  @Test
  void anOversizedAnswerLeavesTheTextUncheckedAndTheNextCheckWorks() {
    var checks = checks();
    server.failChecks(WechatServerStandIn.Failure.OVERSIZED, 1);
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好"))
        .isEqualTo(new Verdict.Unchecked("malformed"));
    assertThat(checks.check(CheckTarget.QUESTION, OPENID, 2, "你好")).isEqualTo(Verdict.PASS);
  }

  private <T, R> Set<R> concurrently(List<T> instances, int callsEach, ThrowingFunction<T, R> call)
      throws Exception {
    var results = ConcurrentHashMap.<R>newKeySet();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      var futures = new ArrayList<java.util.concurrent.Future<R>>();
      for (var instance : instances) {
        for (int i = 0; i < callsEach; i++) {
          Callable<R> task = () -> call.apply(instance);
          futures.add(threads.submit(task));
        }
      }
      for (var future : futures) {
        results.add(future.get());
      }
    }
    return results;
  }

  @FunctionalInterface
  interface ThrowingFunction<T, R> {
    R apply(T value) throws Exception;
  }

  private WechatServerProperties properties() {
    return new WechatServerProperties(
        WechatStandIn.APP_ID,
        WechatStandIn.APP_SECRET,
        URI.create(wechat.baseUrl().toString()),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        REFRESH_AHEAD,
        Duration.ofSeconds(5));
  }

  private SharedAccessToken tokens() {
    var properties = properties();
    return new SharedAccessToken(new WechatServerApi(properties), redis(), properties, clock);
  }

  private ContentSecurity checks() {
    var properties = properties();
    var api = new WechatServerApi(properties);
    var security =
        new ContentSecurityProperties(
            true,
            FailurePolicy.FAIL_OPEN,
            Duration.ofMillis(400),
            2,
            2,
            500,
            List.of("thirdwx.qlogo.cn"),
            "内容安全测试");
    return new ContentSecurity(
        new WechatTextChecker(
            api, new SharedAccessToken(api, redis(), properties, clock), security.timeout()),
        security,
        new SimpleMeterRegistry());
  }

  private StringRedisTemplate redis() {
    var url = URI.create(TestInfrastructure.shared().redisUrl());
    var factory =
        new LettuceConnectionFactory(
            new RedisStandaloneConfiguration(url.getHost(), url.getPort()));
    factory.afterPropertiesSet();
    factory.start();
    connections.add(factory);
    return new StringRedisTemplate(factory);
  }
}
