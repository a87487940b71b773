package tech.plumeintel.shuzhi.chat.llm;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tech.plumeintel.shuzhi.platform.OfflineStandIns;

/**
 * Picks the model: the real endpoint when a key is configured; the {@link OfflineAnswerer} only
 * without a key in the {@code local} profile with {@code SHUZHI_OFFLINE_STANDINS=true} (see {@link
 * OfflineStandIns}); otherwise the worker refuses to start, since a worker that cannot answer would
 * turn every chat into an error.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LlmProperties.class)
class LlmConfiguration {

  private static final Logger log = LoggerFactory.getLogger(LlmConfiguration.class);

  @Bean
  ChatModel chatModel(LlmProperties properties, Environment environment, MeterRegistry meters) {
    if (properties.hasApiKey()) {
      log.info(
          "Answering with model {} at {}, {} fallback(s)",
          properties.model(),
          properties.baseUrl(),
          properties.fallbacks().size());
      var upstreams = new Upstreams(properties);
      return new OpenAiCompatibleClient(
          properties, upstreams, new UpstreamMetrics(meters, upstreams));
    }
    if (OfflineStandIns.allowed(environment)) {
      log.warn("No SHUZHI_LLM_API_KEY in the local run: answering offline from book metadata");
      return new OfflineAnswerer(Duration.ofMillis(40));
    }
    throw new IllegalStateException(
        "SHUZHI_LLM_API_KEY (shuzhi.llm.api-key) is not set: the chat-worker cannot answer without"
            + " a model key. Set it, or for a try-out run with the 'local' profile and"
            + " SHUZHI_OFFLINE_STANDINS=true (./local/run does) to get the offline stand-in.");
  }
}
