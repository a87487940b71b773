package tech.plumeintel.shuzhi.platform.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Which content security a service gets, by credentials, switch and profile. Nothing is called. */
class WechatAutoConfigurationTest {

  // Neither client connects unless used, and nothing here uses them.
  static final MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:1/");

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(WechatAutoConfiguration.class))
          .withBean(MongoDatabase.class, () -> mongo.getDatabase("unused"))
          .withBean(
              StringRedisTemplate.class,
              () -> new StringRedisTemplate(new LettuceConnectionFactory()))
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
          .withBean(Clock.class, Clock::systemUTC);

  @AfterAll
  static void close() {
    mongo.close();
  }

  @Test
  void withCredentialsChecksAreOnUnlessSwitchedOff() {
    runner
        .withPropertyValues("shuzhi.wechat.app-id=wx-app", "shuzhi.wechat.app-secret=s")
        .run(context -> assertThat(context.getBean(ContentSecurity.class).enabled()).isTrue());
    runner
        .withPropertyValues(
            "shuzhi.wechat.app-id=wx-app",
            "shuzhi.wechat.app-secret=s",
            "shuzhi.content-security.enabled=false")
        .run(context -> assertThat(context.getBean(ContentSecurity.class).enabled()).isFalse());
  }

  @Test
  void withoutCredentialsChecksAreOff() {
    runner.run(
        context -> {
          var security = context.getBean(ContentSecurity.class);
          assertThat(security.enabled()).isFalse();
          assertThat(security.check(CheckTarget.QUESTION, "o", 2, "内容安全测试"))
              .isEqualTo(Verdict.PASS);
        });
  }

  @Test
  void theLocalProfileWithoutCredentialsUsesTheOfflineStandInAndItsTestPhrase() {
    runner
        .withPropertyValues("spring.profiles.active=local")
        .run(
            context -> {
              var security = context.getBean(ContentSecurity.class);
              assertThat(security.enabled()).isTrue();
              assertThat(security.check(CheckTarget.QUESTION, "o", 2, "这本书讲了什么"))
                  .isEqualTo(Verdict.PASS);
              assertThat(security.check(CheckTarget.ANSWER, "o", 2, "一段内容安全测试文字"))
                  .isInstanceOf(Verdict.Risky.class);
            });
  }

  @Test
  void switchingChecksOnWithoutCredentialsOutsideTheLocalProfileStopsTheStart() {
    runner
        .withPropertyValues("shuzhi.content-security.enabled=true")
        .run(context -> assertThat(context).hasFailed());
  }

  @Test
  void theFailurePolicyBindsFromItsDocumentedSpelling() {
    runner
        .withPropertyValues(
            "shuzhi.wechat.app-id=wx-app",
            "shuzhi.wechat.app-secret=s",
            "shuzhi.content-security.on-failure=fail-closed")
        .run(context -> assertThat(context.getBean(ContentSecurity.class).failClosed()).isTrue());
  }
}
