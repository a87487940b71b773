package tech.plumeintel.shuzhi.chat.takeover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.chat.stream.ChunkRenderer;
import tech.plumeintel.shuzhi.common.chat.ChatMessage;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

class ResumptionTest {

  private final ChatRequested job =
      new ChatRequested(
          "rid",
          "user",
          "9787544253994",
          List.of(new ChatMessage(ChatMessage.Role.USER, "问题")),
          Instant.EPOCH,
          Instant.EPOCH);
  private final ChunkRenderer chunks = new ChunkRenderer("rid", 0);

  @Test
  void theDeliveredAnswerIsWhatTheLogHoldsSinceItsLastReset() {
    var log =
        List.of(
            StreamFrame.chunk(1, chunks.reasoning("m", "想")).encode(),
            StreamFrame.reset(2).encode(),
            StreamFrame.chunk(3, chunks.reasoning("m", "再想一想")).encode(),
            StreamFrame.chunk(4, chunks.content("m", "答案的")).encode(),
            StreamFrame.chunk(5, chunks.content("deepseek-v4-flash", "前半😀")).encode());

    var resumption = Resumption.read(job, log, 1, "w2");

    assertThat(resumption.lastSeq()).isEqualTo(5);
    assertThat(resumption.answer()).isEqualTo("答案的前半😀");
    assertThat(resumption.reasoning()).isEqualTo("再想一想");
    assertThat(resumption.model()).isEqualTo("deepseek-v4-flash");
    assertThat(resumption.ended()).isFalse();
    assertThat(resumption.delivered().thinking()).isTrue();
  }

  @Test
  void aLogEndingInDoneOrErrorIsNotContinued() {
    var log =
        List.of(
            StreamFrame.chunk(1, chunks.content("m", "完整")).encode(), StreamFrame.done(2).encode());

    assertThat(Resumption.read(job, log, 1, "w2").ended()).isTrue();
    assertThat(Resumption.read(job, List.of(), 1, "w2").delivered().anything()).isFalse();
  }
}
