package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ChatModelSelectionTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(LlmConfiguration.class)
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  @Test
  void theLocalRunWithoutKeyAnswersOffline() {
    runner
        .withPropertyValues("spring.profiles.active=local", "shuzhi.offline-standins=true")
        .run(
            context ->
                assertThat(context).getBean(ChatModel.class).isInstanceOf(OfflineAnswerer.class));
  }

  @Test
  void theLocalProfileAloneWithoutKeyRefusesToStart() {
    runner
        .withPropertyValues("spring.profiles.active=local")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("SHUZHI_OFFLINE_STANDINS"));
  }

  @Test
  void localProfileWithKeyUsesTheRealModel() {
    runner
        .withPropertyValues("spring.profiles.active=local", "shuzhi.llm.api-key=sk-test")
        .run(
            context ->
                assertThat(context)
                    .getBean(ChatModel.class)
                    .isInstanceOf(OpenAiCompatibleClient.class));
  }

  @Test
  void outsideTheLocalProfileAKeyUsesTheRealModel() {
    runner
        .withPropertyValues("shuzhi.llm.api-key=sk-test")
        .run(
            context ->
                assertThat(context)
                    .getBean(ChatModel.class)
                    .isInstanceOf(OpenAiCompatibleClient.class));
  }

  @Test
  void outsideTheLocalProfileAMissingKeyRefusesToStart() {
    runner
        .withPropertyValues("spring.profiles.active=prod")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("SHUZHI_LLM_API_KEY"));
  }
}
