package tech.plumeintel.shuzhi.chat.stream;

import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.PatternTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * One pattern subscription per worker, {@code chat:*:cancel}, dispatching to the streams running
 * here, instead of one subscription per stream. Cancels for streams of other workers are ignored.
 */
@Configuration(proxyBeanMethods = false)
class CancelSubscription {

  private static final Logger log = LoggerFactory.getLogger(CancelSubscription.class);
  static final String PATTERN = "chat:*:cancel";
  private static final String PREFIX = "chat:";
  private static final String SUFFIX = ":cancel";

  @Bean
  RedisMessageListenerContainer cancelListener(
      RedisConnectionFactory redis, ActiveStreams streams) {
    var container = new RedisMessageListenerContainer();
    container.setConnectionFactory(redis);
    container.addMessageListener(
        (message, pattern) -> {
          var channel = new String(message.getChannel(), StandardCharsets.UTF_8);
          if (!channel.startsWith(PREFIX) || !channel.endsWith(SUFFIX)) {
            return;
          }
          var requestId = channel.substring(PREFIX.length(), channel.length() - SUFFIX.length());
          if (streams.cancel(requestId)) {
            log.info("Cancel for request {}", requestId);
          }
        },
        new PatternTopic(PATTERN));
    return container;
  }
}
