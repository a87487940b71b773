package tech.plumeintel.shuzhi.chat.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.plumeintel.shuzhi.common.book.Book;

class PromptBuilderTest {

  static Book book(String title, String introduction) {
    return new Book(
        "9787544253994",
        title,
        null,
        null,
        "[哥伦比亚] 加西亚·马尔克斯",
        "范晔",
        "南海出版公司",
        "2011-6",
        360,
        "39.50元",
        null,
        null,
        9.3,
        100,
        introduction,
        "作者简介",
        null,
        false,
        Map.of(),
        Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void systemPromptCarriesTheBooksMetadata() {
    var system = PromptBuilder.systemPrompt("9787544253994", book("百年孤独", "布恩迪亚家族七代人的传奇"));

    assertThat(system)
        .contains(
            "书名：百年孤独",
            "作者：[哥伦比亚] 加西亚·马尔克斯",
            "译者：范晔",
            "出版社：南海出版公司",
            "内容简介：布恩迪亚家族七代人的传奇",
            "ISBN：9787544253994");
  }

  @Test
  void longIntroductionIsTruncated() {
    var system = PromptBuilder.systemPrompt("9787544253994", book("书", "长".repeat(10_000)));

    assertThat(system)
        .contains("长".repeat(PromptBuilder.MAX_INTRODUCTION) + "…")
        .doesNotContain("长".repeat(PromptBuilder.MAX_INTRODUCTION + 1));
  }

  @Test
  void unknownBookIsSaidAndTheIsbnGiven() {
    var system = PromptBuilder.systemPrompt("9780000000002", null);

    assertThat(system).contains("还没有查到", "9780000000002").doesNotContain("书名：");
  }

  @Test
  void systemPromptIsTheSameForEveryTurnSoThePrefixCacheHits() {
    var book = book("百年孤独", "简介");

    assertThat(PromptBuilder.systemPrompt("9787544253994", book))
        .isEqualTo(PromptBuilder.systemPrompt("9787544253994", book));
  }

  @Test
  void truncationNeverSplitsASurrogatePair() {
    assertThat(PromptBuilder.truncate("😀😀😀", 2)).isEqualTo("😀😀…");
  }
}
