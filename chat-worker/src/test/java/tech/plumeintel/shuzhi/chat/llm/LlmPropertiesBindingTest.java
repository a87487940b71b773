package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Validation;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

class LlmPropertiesBindingTest {

  private static LlmProperties bind(Map<String, Object> environment) {
    var env = new StandardEnvironment();
    env.getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME + "-test",
                environment));
    return new Binder(ConfigurationPropertySources.get(env))
        .bindOrCreate("shuzhi.llm", LlmProperties.class);
  }

  @Test
  void contractEnvironmentVariablesBind() {
    var properties =
        bind(
            Map.of(
                "SHUZHI_LLM_BASE_URL", "https://llm.example.test/v1",
                "SHUZHI_LLM_API_KEY", "sk-from-env",
                "SHUZHI_LLM_MODEL", "deepseek-reasoner",
                "SHUZHI_LLM_IDLE_TIMEOUT", "45s"));

    assertThat(properties.baseUrl()).isEqualTo(URI.create("https://llm.example.test/v1"));
    assertThat(properties.apiKey()).isEqualTo("sk-from-env");
    assertThat(properties.model()).isEqualTo("deepseek-reasoner");
    assertThat(properties.idleTimeout()).isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void defaultsAreDeepSeekWithoutAKey() {
    var properties = bind(Map.of());

    assertThat(properties.baseUrl()).isEqualTo(URI.create("https://api.deepseek.com"));
    assertThat(properties.model()).isEqualTo("deepseek-v4-flash");
    assertThat(properties.hasApiKey()).isFalse();
    assertThat(properties.maxConcurrentStreams()).isGreaterThanOrEqualTo(2_000);
  }

  @Test
  void printingThePropertiesNeverShowsTheKey() {
    var properties = bind(Map.of("SHUZHI_LLM_API_KEY", "sk-very-secret"));

    assertThat(properties.toString()).doesNotContain("sk-very-secret").contains("(set)");
  }

  @Test
  void aFallbackWithoutABaseUrlIsRefusedAtStartup() {
    try (var validators = Validation.buildDefaultValidatorFactory()) {
      var validating =
          new ValidationBindHandler(new SpringValidatorAdapter(validators.getValidator()));

      assertThatThrownBy(
              () ->
                  new Binder(
                          new MapConfigurationPropertySource(
                              Map.of("shuzhi.llm.fallbacks[0].model", "deepseek-chat")))
                      .bind("shuzhi.llm", Bindable.of(LlmProperties.class), validating))
          .isInstanceOf(BindException.class)
          .rootCause()
          .hasMessageContaining("fallbacks[0].baseUrl");
    }
  }
}
