package tech.plumeintel.shuzhi.api.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.chat.StreamFrame;

class StreamFormatTest {

  @Test
  void aResetIsAnSseEventOfItsOwnWithItsIdAndAnNdjsonLine() {
    var reset = StreamFrame.reset(7);

    assertThat(new String(StreamFormat.SSE.render(reset), StandardCharsets.US_ASCII))
        .isEqualTo("id: 7\nevent: reset\ndata: {\"reset\":true}\n\n");
    assertThat(new String(StreamFormat.NDJSON.render(reset), StandardCharsets.US_ASCII))
        .isEqualTo("{\"reset\":true}\n");
    assertThat(reset.kind().endsStream()).isFalse();
    assertThat(StreamFrame.decode(reset.encode())).isEqualTo(reset);
  }
}
