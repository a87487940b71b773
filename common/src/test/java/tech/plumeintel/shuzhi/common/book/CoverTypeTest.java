package tech.plumeintel.shuzhi.common.book;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CoverTypeTest {

  private static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void rasterImagesAreToldByTheirFirstBytes() {
    assertThat(CoverType.of(bytes("\u00ff\u00d8\u00ff\u00e0\0\u0010JFIF")))
        .contains(CoverType.JPEG);
    assertThat(CoverType.of(bytes("\u0089PNG\r\n\u001a\n\0\0\0\rIHDR"))).contains(CoverType.PNG);
    assertThat(CoverType.of(bytes("GIF89a\u0001\0\u0001\0"))).contains(CoverType.GIF);
    assertThat(CoverType.of(bytes("GIF87a\u0001\0\u0001\0"))).contains(CoverType.GIF);
    assertThat(CoverType.of(bytes("RIFF\u0024\0\0\0WEBPVP8 "))).contains(CoverType.WEBP);
    assertThat(CoverType.PNG.mediaType()).isEqualTo("image/png");
  }

  @Test
  void svgHtmlAndLookalikesAreNoCover() {
    for (var notRaster :
        new String[] {
          "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script>",
          "<svg onload=alert(1)>",
          "<!DOCTYPE html><html>",
          "RIFF\u0024\0\0\0WAVEfmt ",
          "GIF8",
          "\u0089PNG",
          "",
          "%PDF-1.7"
        }) {
      assertThat(CoverType.of(bytes(notRaster))).as(notRaster).isEmpty();
    }
  }
}
