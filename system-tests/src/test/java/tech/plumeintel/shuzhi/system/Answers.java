package tech.plumeintel.shuzhi.system;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import tech.plumeintel.shuzhi.system.EventStream.Event;
import tools.jackson.databind.json.JsonMapper;

/** Answers the LLM stand-in streams, and what a reader makes of the events that carry them. */
final class Answers {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What the recorded DeepSeek thinking stream says, once its deltas are put together. */
  static final String RECORDED_ANSWER = "The word \"strawberry\" contains three \"r\"s.";

  static final String RECORDED_REASONING_START = "We need to count";

  private Answers() {}

  /**
   * A thinking model's stream, as DeepSeek sends it (UTF-8, not escaped): each piece of reasoning,
   * then each piece of the answer, a finish chunk and a usage chunk.
   */
  static List<String> chunks(List<String> reasoning, List<String> answer) {
    var chunks = new ArrayList<String>();
    chunks.add(chunk("{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"\"}", null));
    reasoning.forEach(
        text ->
            chunks.add(
                chunk(
                    "{\"content\":null,\"reasoning_content\":"
                        + JSON.writeValueAsString(text)
                        + "}",
                    null)));
    answer.forEach(
        text ->
            chunks.add(
                chunk(
                    "{\"content\":"
                        + JSON.writeValueAsString(text)
                        + ",\"reasoning_content\":null}",
                    null)));
    chunks.add(chunk("{\"content\":\"\",\"reasoning_content\":null}", "\"stop\""));
    chunks.add(
        "{\"id\":\"stand-in\",\"object\":\"chat.completion.chunk\",\"created\":1764661832,"
            + "\"model\":\"deepseek-reasoner\",\"choices\":[],\"usage\":{\"prompt_tokens\":120,"
            + "\"completion_tokens\":30,\"total_tokens\":150,\"prompt_cache_hit_tokens\":64,"
            + "\"prompt_cache_miss_tokens\":56,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":12}}}");
    return chunks;
  }

  private static String chunk(String delta, String finishReason) {
    return "{\"id\":\"stand-in\",\"object\":\"chat.completion.chunk\",\"created\":1764661832,"
        + "\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"logprobs\":null,\"finish_reason\":"
        + finishReason
        + "}]}";
  }

  /** One delta field of the events, put together in order. */
  static String text(List<Event> events, String field) {
    return events.stream().map(event -> event.delta(field)).collect(Collectors.joining());
  }

  static boolean isAscii(String text) {
    return text.chars().allMatch(c -> c < 128);
  }
}
