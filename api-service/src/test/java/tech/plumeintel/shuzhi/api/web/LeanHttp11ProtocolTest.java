package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;

/** Tomcat's internals the small buffers depend on: an upgrade that moves them fails here. */
class LeanHttp11ProtocolTest {

  @Test
  void aRequestsReaderStartsWithTheSmallBuffer() {
    var request =
        new LeanHttp11Protocol.LeanRequest(
            new Connector(new LeanHttp11Protocol()), new org.apache.coyote.Request());

    assertThat(request.readerChars()).isEqualTo(LeanHttp11Protocol.REQUEST_READER_CHARS);
  }

  @Test
  void responsesAskForTheSmallBuffer() {
    var protocol = new LeanHttp11Protocol();

    assertThat(protocol.getDesiredBufferSize()).isEqualTo(LeanHttp11Protocol.RESPONSE_BUFFER);
  }
}
