package tech.plumeintel.shuzhi.api;

import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tech.plumeintel.shuzhi.common.chat.ChatChannels;
import tech.plumeintel.shuzhi.testsupport.JsonHttp;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/**
 * Base of the API's integration tests: the API over real HTTP, on real Kafka, Redis and Mongo-wire,
 * with WeChat stood in for over real HTTP. Every subclass shares one application context.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.server.port=0",
      "shuzhi.wechat.app-id=" + WechatStandIn.APP_ID,
      "shuzhi.wechat.app-secret=" + WechatStandIn.APP_SECRET,
      "shuzhi.wechat.timeout=2s",
      "shuzhi.chat.pickup-timeout=2s",
      "shuzhi.chat.worker-silence=3s",
      "shuzhi.chat.ping-interval=1s",
      // Every test calls from 127.0.0.1; per-address limits are tested on their own.
      "shuzhi.limits.chat-per-minute-per-address=100000",
      "shuzhi.limits.login-per-minute=100000",
      "shuzhi.limits.lookups-per-minute=100000",
      // A change to a stored book shows after this; the tests that make one wait for it.
      "shuzhi.books.in-memory-for=2s",
      // Content security is on (credentials are set); the tests' avatars live on these hosts.
      "shuzhi.content-security.avatar-hosts=thirdwx.qlogo.cn,example.com,127.0.0.1"
    })
@RealInfrastructure
public abstract class ApiIntegrationTest {

  /** Made per run: a fixed one would be a published secret, which the API refuses. */
  public static final String JWT_SECRET =
      "it-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID();

  protected static final WechatStandIn WECHAT = new WechatStandIn();

  @LocalServerPort protected int port;

  @LocalManagementPort protected int managementPort;

  protected int managementPort() {
    return managementPort;
  }

  @DynamicPropertySource
  static void upstreams(DynamicPropertyRegistry registry) {
    registry.add("shuzhi.wechat.base-url", () -> WECHAT.baseUrl().toString());
    registry.add("shuzhi.jwt.secret", () -> JWT_SECRET);
  }

  protected JsonHttp api() {
    return new JsonHttp(port);
  }

  /** Logs in as this WeChat user through the real flow and returns the login answer's token. */
  protected String loginAs(String openid) {
    var code = "code-" + openid + "-" + System.nanoTime();
    WECHAT.accept(code, openid);
    var answer = api().post("/api/auth/login/wechat/", Map.of("code", code), null);
    if (answer.status() != 200) {
      throw new IllegalStateException("login failed: " + answer.status() + " " + answer.body());
    }
    return answer.json().path("token").asString();
  }

  @Autowired private StringRedisTemplate streamRecords;

  /** How many streams Redis holds a record of (owner and book) for the reader of a token. */
  protected long streamsRecordedFor(String token) {
    var userId = api().get("/api/user/profile/", token).json().path("id").asString();
    return streamRecords.keys(ChatChannels.meta("*")).stream()
        .filter(key -> userId.equals(streamRecords.opsForHash().get(key, ChatChannels.META_USER)))
        .count();
  }
}
