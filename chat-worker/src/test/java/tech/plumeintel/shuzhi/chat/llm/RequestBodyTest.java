package tech.plumeintel.shuzhi.chat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.prompt.Prompt;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatMessage.Role;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class RequestBodyTest {

  private final LlmProperties properties =
      TestLlm.properties(Map.of("base-url", "http://localhost:1", "api-key", "sk-test"));

  @Test
  void deepSeekThinkingSwitchAndEffortAreSentOnlyWhenConfigured() {
    var configured =
        TestLlm.properties(
            Map.of(
                "base-url", "http://localhost:1",
                "api-key", "sk-test",
                "max-tokens", "2048",
                "thinking", "false",
                "reasoning-effort", "high"));
    var prompt = new Prompt("9787544253994", null, "s", List.of(new ChatMessage(Role.USER, "q")));

    var body =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build()
            .valueToTree(((OpenAiCompatibleClient) TestLlm.client(configured)).body(prompt, "u"));

    assertThat(body.path("thinking").path("type").asString()).isEqualTo("disabled");
    assertThat(body.path("reasoning_effort").asString()).isEqualTo("high");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(2048);
  }

  @Test
  void systemPromptThenTurnsAsContentOnlyStreamingWithUsage() {
    var prompt =
        new Prompt(
            "9787544253994",
            null,
            "system text",
            List.of(
                new ChatMessage(Role.USER, "问题一"),
                new ChatMessage(Role.ASSISTANT, "回答一"),
                new ChatMessage(Role.USER, "问题二")));

    var body =
        JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build()
            .valueToTree(
                ((OpenAiCompatibleClient) TestLlm.client(properties)).body(prompt, "user-7"));

    assertThat(body.path("model").asString()).isEqualTo("deepseek-v4-flash");
    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
    assertThat(body.path("user").asString()).isEqualTo("user-7");
    assertThat(body.has("max_tokens")).isFalse();
    assertThat(body.has("thinking")).isFalse();
    assertThat(body.has("reasoning_effort")).isFalse();
    var messages = body.path("messages");
    assertThat(messages.size()).isEqualTo(4);
    assertThat(messages.path(0).path("role").asString()).isEqualTo("system");
    assertThat(messages.path(2).path("role").asString()).isEqualTo("assistant");
    assertThat(messages.path(2).path("content").asString()).isEqualTo("回答一");
    assertThat(messages.path(2).has("reasoning_content")).isFalse();
    assertThat(messages.path(3).path("content").asString()).isEqualTo("问题二");
  }
}
