package tech.plumeintel.shuzhi.common.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StreamFrameTest {

  @Test
  void roundTripsEveryKindWithPayloadsThatContainSpaces() {
    var frames =
        new StreamFrame[] {
          StreamFrame.chunk(7, "{\"choices\": [ {\"delta\": {\"content\": \"a b\"}} ]}"),
          StreamFrame.error(8, "{\"code\":\"MODEL_ERROR\",\"message\":\"x y\"}"),
          StreamFrame.done(9),
          StreamFrame.heartbeat(),
        };
    for (var frame : frames) {
      assertThat(StreamFrame.decode(frame.encode())).isEqualTo(frame);
    }
  }

  @Test
  void encodesSequenceAndKindFirst() {
    assertThat(StreamFrame.chunk(12, "{}").encode()).isEqualTo("12 chunk {}");
    assertThat(StreamFrame.done(3).encode()).isEqualTo("3 done ");
  }

  @Test
  void onlyErrorAndDoneEndAStream() {
    assertThat(StreamFrame.Kind.DONE.endsStream()).isTrue();
    assertThat(StreamFrame.Kind.ERROR.endsStream()).isTrue();
    assertThat(StreamFrame.Kind.CHUNK.endsStream()).isFalse();
    assertThat(StreamFrame.Kind.HEARTBEAT.endsStream()).isFalse();
  }

  @Test
  void refusesGarbage() {
    assertThatThrownBy(() -> StreamFrame.decode("nonsense"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamFrame.decode("1 shout {}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamFrame.decode("1 chunks {}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamFrame.decode("1 chun {}"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void readsAKindInAnyCase() {
    assertThat(StreamFrame.decode("3 CHUNK {\"a\":1}"))
        .isEqualTo(StreamFrame.chunk(3, "{\"a\":1}"));
    assertThat(StreamFrame.decode("4 Done ")).isEqualTo(StreamFrame.done(4));
  }
}
