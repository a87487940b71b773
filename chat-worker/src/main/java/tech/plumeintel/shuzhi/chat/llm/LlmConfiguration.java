package tech.plumeintel.shuzhi.chat.llm;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Picks the model: the real endpoint when a key is configured; the {@link OfflineAnswerer} only in
 * the {@code local} profile without a key; otherwise the worker refuses to start, since a worker
 * that cannot answer would turn every chat into an error.
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
    if (environment.acceptsProfiles(Profiles.of("local"))) {
      log.warn("No SHUZHI_LLM_API_KEY in the local profile: answering offline from book metadata");
      return new OfflineAnswerer(Duration.ofMillis(40));
    }
    throw new IllegalStateException(
        "SHUZHI_LLM_API_KEY (shuzhi.llm.api-key) is not set: the "
            + "chat-worker cannot answer without a model key. Set it, or run with the 'local' profile "
            + "to get the offline stand-in.");
  }
}
