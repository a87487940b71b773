package tech.plumeintel.shuzhi.chat.takeover;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.chat.llm.Delivered;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A stream claimed from a dead worker, read back from its log: the job, the last sequence number
 * written, and the answer and thinking the reader was shown since the last reset.
 *
 * @param model the model the last chunk named, if any
 * @param ended whether the log ends with a done or error frame (the worker died after its end)
 */
public record Resumption(
    ChatRequested job,
    long lastSeq,
    String answer,
    String reasoning,
    @Nullable String model,
    boolean ended,
    int takeovers,
    String worker) {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public Delivered delivered() {
    return new Delivered(answer, !reasoning.isEmpty());
  }

  static Resumption read(ChatRequested job, List<String> log, int takeovers, String worker) {
    long lastSeq = 0;
    boolean ended = false;
    String model = null;
    var answer = new StringBuilder();
    var reasoning = new StringBuilder();
    for (var encoded : log) {
      var frame = StreamFrame.decode(encoded);
      lastSeq = Math.max(lastSeq, frame.seq());
      switch (frame.kind()) {
        case CHUNK -> {
          try {
            var chunk = JSON.readTree(frame.payload());
            var delta = chunk.path("choices").path(0).path("delta");
            answer.append(delta.path("content").asString(""));
            reasoning.append(delta.path("reasoning_content").asString(""));
            var named = chunk.path("model").asString("");
            if (!named.isEmpty()) {
              model = named;
            }
          } catch (JacksonException e) {
            // Every chunk is written by a worker as JSON; one that is not carries no text.
          }
        }
        case RESET -> {
          answer.setLength(0);
          reasoning.setLength(0);
        }
        case DONE, ERROR -> ended = true;
        case HEARTBEAT -> {}
      }
    }
    return new Resumption(
        job, lastSeq, answer.toString(), reasoning.toString(), model, ended, takeovers, worker);
  }
}
