package tech.plumeintel.shuzhi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The body a request was checked with is served once and then let go, while the request lives. */
class ReadBodyTest {

  @Test
  void theBodyIsServedWholeAndItsLengthStays() throws Exception {
    var body = "{\"question\":\"活着讲了什么？\"}".getBytes(StandardCharsets.UTF_8);
    var request = new RequestBodyLimits.ReadBody(new MockHttpServletRequest(), body.clone());

    assertThat(request.getInputStream().readAllBytes()).isEqualTo(body);
    assertThat(request.getInputStream().read()).isEqualTo(-1);
    assertThat(request.getInputStream().isFinished()).isTrue();
    assertThat(request.getContentLengthLong()).isEqualTo(body.length);
  }

  @Test
  void aBodyReadToItsEndIsNoLongerHeldByTheRequest() throws Exception {
    var body = new byte[64 * 1024];
    var held = new WeakReference<>(body);
    var request = new RequestBodyLimits.ReadBody(new MockHttpServletRequest(), body);
    // A JSON parser stops at the end of the value: it reads the bytes but need not see the end.
    assertThat(request.getInputStream().readNBytes(body.length)).hasSize(body.length);
    body = null;

    for (int i = 0; i < 10 && held.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }

    assertThat(held.get()).isNull();
    assertThat(request.getContentLength()).isEqualTo(64 * 1024);
  }

  @Test
  void aBodyNotYetReadIsStillThere() throws Exception {
    var request =
        new RequestBodyLimits.ReadBody(
            new MockHttpServletRequest(), "{\"a\":1}".getBytes(StandardCharsets.UTF_8));

    assertThat(request.getInputStream().read()).isEqualTo('{');
    assertThat(new String(request.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("\"a\":1}");
  }
}
