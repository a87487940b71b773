package tech.plumeintel.shuzhi.api;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tech.plumeintel.shuzhi.testsupport.TestInfrastructure;
import tech.plumeintel.shuzhi.testsupport.WechatStandIn;

/** Another API instance on the same Redis, Kafka and Mongo, as behind a load balancer. */
public final class AnotherApiInstance implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  public AnotherApiInstance(Map<String, String> extraProperties) {
    var properties =
        new HashMap<String, Object>(TestInfrastructure.shared().springProperties("shuzhi"));
    properties.put("server.port", "0");
    properties.put("management.server.port", "0");
    properties.put("shuzhi.jwt.secret", ApiIntegrationTest.JWT_SECRET);
    properties.put("shuzhi.wechat.app-id", WechatStandIn.APP_ID);
    properties.put("shuzhi.wechat.app-secret", WechatStandIn.APP_SECRET);
    properties.put("shuzhi.wechat.base-url", ApiIntegrationTest.WECHAT.baseUrl().toString());
    // As in ApiIntegrationTest. A rate bucket in the shared Redis keeps the capacity of the
    // instance
    // that made it, so an instance with the default 60 per address would limit every later test.
    properties.put("shuzhi.limits.chat-per-minute-per-address", "100000");
    properties.put("shuzhi.limits.login-per-minute", "100000");
    properties.put("shuzhi.limits.lookups-per-minute", "100000");
    properties.putAll(extraProperties);
    // Command-line arguments, because default properties would lose to application.yml.
    context =
        new SpringApplicationBuilder(ApiApplication.class)
            .run(
                properties.entrySet().stream()
                    .map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new));
  }

  public int port() {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  public int managementPort() {
    return Integer.parseInt(context.getEnvironment().getProperty("local.management.port"));
  }

  public boolean isRunning() {
    return context.isActive();
  }

  @Override
  public void close() {
    context.close();
  }
}
