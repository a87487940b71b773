package tech.plumeintel.shuzhi.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.platform.wechat.WechatServerApi;
import tech.plumeintel.shuzhi.platform.wechat.WechatServerProperties;

class CodeExchangeConfigurationTest {

  private static WechatServerProperties wechat(String appId, String secret) {
    return new WechatServerProperties(
        appId,
        secret,
        URI.create("https://api.weixin.qq.com"),
        Duration.ofSeconds(2),
        Duration.ofSeconds(4),
        Duration.ofMinutes(3),
        Duration.ofSeconds(5));
  }

  /** Each holds a connection pool and its idle-connection thread. */
  private final List<WechatServerApi> apis = new ArrayList<>();

  @AfterEach
  void closeApis() throws IOException {
    for (var api : apis) {
      api.close();
    }
  }

  private CodeExchange exchange(WechatServerProperties wechat, MockEnvironment environment) {
    var api = new WechatServerApi(wechat);
    apis.add(api);
    return new CodeExchangeConfiguration().codeExchange(wechat, api, environment);
  }

  private static MockEnvironment profile(String... profiles) {
    var environment = new MockEnvironment();
    environment.setActiveProfiles(profiles);
    return environment;
  }

  private static MockEnvironment localRun() {
    return profile("local").withProperty("shuzhi.offline-standins", "true");
  }

  @Test
  void theOfflineStandInServesOnlyTheLocalRunWithoutCredentials() {
    var exchange = exchange(wechat(null, null), localRun());

    assertThat(exchange).isInstanceOf(OfflineCodeExchange.class);
    assertThat(exchange.exchange("any").openid()).startsWith(OfflineCodeExchange.OPENID_PREFIX);
    assertThat(exchange.exchange("same").openid()).isEqualTo(exchange.exchange("same").openid());
  }

  @Test
  void credentialsAlwaysMeanRealWechatEvenInTheLocalProfile() {
    assertThat(exchange(wechat("wx1", "s"), localRun())).isInstanceOf(JscodeToSession.class);
    assertThat(exchange(wechat("wx1", "s"), profile())).isInstanceOf(JscodeToSession.class);
  }

  @Test
  void theLocalProfileAloneDoesNotTurnTheStandInOn() {
    var exchange = exchange(wechat(null, null), profile("local"));

    assertThat(exchange).isNotInstanceOf(OfflineCodeExchange.class);
    assertThatThrownBy(() -> exchange.exchange("any")).isInstanceOf(ApiException.class);
    var optInAlone =
        exchange(wechat(null, null), profile().withProperty("shuzhi.offline-standins", "true"));
    assertThat(optInAlone).isNotInstanceOf(OfflineCodeExchange.class);
  }

  @Test
  void outsideTheLocalProfileMissingCredentialsRefuseEveryLogin() {
    var exchange = exchange(wechat("", null), profile("prod"));

    assertThat(exchange).isNotInstanceOf(OfflineCodeExchange.class);
    assertThatThrownBy(() -> exchange.exchange("any")).isInstanceOf(ApiException.class);
  }
}
