package tech.plumeintel.shuzhi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tech.plumeintel.shuzhi.testsupport.RealInfrastructure;

/** A service has one Redis client, Boot's, and the platform's options are on it. */
@SpringBootTest(classes = RedisClientIT.Service.class)
@RealInfrastructure
class RedisClientIT {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Service {}

  @Autowired LettuceConnectionFactory boots;
  @Autowired RedisClient client;
  @Autowired StringRedisTemplate template;

  @Test
  void theRedisClientOfferedToTheServiceIsTheOneBootsTemplateUses() {
    assertThat(client.getOptions()).isSameAs(boots.getRequiredNativeClient().getOptions());
    assertThat(template.getConnectionFactory()).isSameAs(boots);
  }

  @Test
  void theClientIsBootsCurrentOneAfterItsFactoryRestarted() {
    boots.stop();
    boots.start();

    assertThat(client.getOptions()).isSameAs(boots.getRequiredNativeClient().getOptions());
    try (var connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void itSpeaksResp2AndRefusesCommandsWhileDisconnected() {
    var options = client.getOptions();

    assertThat(options.getConfiguredProtocolVersion()).isEqualTo(ProtocolVersion.RESP2);
    assertThat(options.getDisconnectedBehavior())
        .isEqualTo(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    try (var connection = client.connect()) {
      assertThat(connection.sync().ping()).isEqualTo("PONG");
      assertThat(connection.getTimeout())
          .isEqualTo(boots.getClientConfiguration().getCommandTimeout());
    }
  }
}
