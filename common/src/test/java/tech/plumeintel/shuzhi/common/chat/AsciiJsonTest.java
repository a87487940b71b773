package tech.plumeintel.shuzhi.common.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AsciiJsonTest {

  private static String quoted(String value) {
    return AsciiJson.appendString(new StringBuilder(), value).toString();
  }

  @Test
  void nonAsciiIsEscapedInUpperCaseHexAndEmojiAsTwoSurrogates() {
    assertThat(quoted("书😀")).isEqualTo("\"\\u4E66\\uD83D\\uDE00\"");
  }

  @Test
  void quotesBackslashesAndControlsUseJsonsShortEscapesWhereThereIsOne() {
    assertThat(quoted("\"\\\b\t\f\n\r\u0001")).isEqualTo("\"\\\"\\\\\\b\\t\\f\\n\\r\\u0001\"");
  }

  @Test
  void printableAsciiSlashAndDeleteAreWrittenAsThemselves() {
    assertThat(quoted("a/b <\u007F>")).isEqualTo("\"a/b <\u007F>\"");
  }
}
