package tech.plumeintel.shuzhi.fetch.source.douban;

import static org.assertj.core.api.Assertions.assertThat;
import static tech.plumeintel.shuzhi.fetch.source.BookField.*;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tech.plumeintel.shuzhi.fetch.Fixtures;
import tech.plumeintel.shuzhi.fetch.source.BookFields;

class DoubanPageParserTest {

  private final DoubanPageParser parser = new DoubanPageParser();

  private static Document page(String id) {
    return Jsoup.parse(
        Fixtures.text("douban/subject-" + id + ".html"),
        "https://book.douban.com/subject/" + id + "/");
  }

  private BookFields parse(String id) {
    return parser.parse(page(id));
  }

  @Test
  void readsAChineseOriginalWithNestedAuthorLabelSeriesAndRating() {
    var book = parse("1089243");

    assertThat(book.text(TITLE)).isEqualTo("黄金时代");
    assertThat(book.text(AUTHOR)).isEqualTo("王小波");
    assertThat(book.text(PUBLISHER)).isEqualTo("花城出版社");
    assertThat(book.text(SUBTITLE)).isEqualTo("时代三部曲");
    assertThat(book.text(PUB_DATE)).isEqualTo("1999-3");
    assertThat(book.integer(PAGES)).isEqualTo(375);
    assertThat(book.text(PRICE)).isEqualTo("19.00元");
    assertThat(book.text(BINDING)).isEqualTo("平装");
    assertThat(book.text(SERIES)).isEqualTo("王小波《时代三部曲》");
    assertThat(book.decimal(RATING)).isEqualTo(8.9);
    assertThat(book.integer(RATING_COUNT)).isEqualTo(156356);
    assertThat(book.text(COVER))
        .isEqualTo("https://img9.doubanio.com/view/subject/l/public/s1076372.jpg");
    assertThat(book.text(INTRODUCTION)).startsWith("《黄金时代》是《时代三部曲》之一。");
    assertThat(book.text(AUTHOR_INTRO)).startsWith("王小波：男，1952年生于北京。");
    assertThat(book.has(TRANSLATOR)).isFalse();
  }

  @Test
  void readsTheFlatAuthorLabelWithItsColonInsideAndTheNestedTranslator() {
    var book = parse("1152971");

    assertThat(book.text(AUTHOR)).isEqualTo("[美] 大卫·卡什诺");
    assertThat(book.text(TRANSLATOR)).isEqualTo("孙振南");
    assertThat(book.text(ORIGINAL_TITLE)).isEqualTo("Masters of Doom");
    assertThat(book.text(PUBLISHER)).isEqualTo("电子工业出版社");
    assertThat(book.integer(PAGES)).isEqualTo(318);
  }

  @Test
  void joinsSeveralTranslatorsAndReadsAPlainTextPublisher() {
    var book = parse("2037260");

    assertThat(book.text(TRANSLATOR)).isEqualTo("Hongling Zhang / Jason Sommer");
    assertThat(book.text(PUBLISHER)).isEqualTo("State University of New York Press");
    assertThat(book.text(SUBTITLE)).isEqualTo("Three Novellas by Wang Xiaobo");
    assertThat(book.text(PRICE)).isEqualTo("USD 26.00");
    assertThat(book.text(BINDING)).isEqualTo("Hardcover");
  }

  @Test
  void takesTheFullIntroductionFromTheHiddenSpanOverTheCutOne() {
    var book = parse("35902899");

    assertThat(book.text(INTRODUCTION))
        .contains("threatens to crush him at any time.")
        .contains("which has a deep resonance with the world we live in.")
        .doesNotContain("展开全部")
        .doesNotContain("turned in...");
    assertThat(book.text(AUTHOR_INTRO))
        .endsWith(
            "Sechs Wochen vor seinem Tod heiratete Orwell seine langjährige Freundin Sonia "
                + "Brownell.");
    assertThat(book.has(RATING)).as("目前无人评价").isFalse();
    assertThat(book.has(PUB_DATE)).isFalse();
  }

  @Test
  void keepsParagraphsOfALongIntroductionAsLines() {
    var book = parse("26974266");

    assertThat(book.text(INTRODUCTION))
        .contains("\n")
        .doesNotContain("(展开全部)")
        .contains("基于1.0版本API");
    assertThat(book.text(AUTHOR_INTRO)).contains("唐源").doesNotContain("(展开全部)");
    assertThat(book.text(AUTHOR)).isEqualTo("黄文坚 / 唐源");
    assertThat(book.text(SERIES)).isEqualTo("博文视点AI系列");
  }

  @Test
  void readsAPageWithoutRatingBlockAndThreeAuthors() {
    var book = parse("27012117");

    assertThat(book.text(AUTHOR)).isEqualTo("王沪宁 / 林尚立 / 孙关宏");
    assertThat(book.text(SUBTITLE)).isEqualTo("马克思主义政治原理");
    assertThat(book.text(BINDING)).isEqualTo("精装");
    assertThat(book.has(RATING)).isFalse();
  }

  @Test
  void leavesTheIntroductionsOutOfAPageThatHasNone() {
    var book = parse("35576094");

    assertThat(book.text(TITLE)).isEqualTo("全频带阻塞干扰");
    assertThat(book.has(INTRODUCTION)).isFalse();
    assertThat(book.has(AUTHOR_INTRO)).isFalse();
    assertThat(book.decimal(RATING)).isEqualTo(8.6);
  }

  @Test
  void readsABrowserSavedPageInItsOwnFieldOrder() {
    var book = parse("36255848");

    assertThat(book.text(AUTHOR)).isEqualTo("[法]西蒙娜·薇依");
    assertThat(book.text(TRANSLATOR)).isEqualTo("王天宇");
    assertThat(book.text(ORIGINAL_TITLE)).isEqualTo("La Condition ouvrière");
    assertThat(book.text(PRICE)).isEqualTo("58.00");
    assertThat(book.integer(PAGES)).isEqualTo(340);
    assertThat(book.text(INTRODUCTION)).contains("如何摆脱工作中的痛苦和烦闷？");
    assertThat(book.text(AUTHOR_INTRO)).startsWith("西蒙娜·薇依(Simone Weil,1909-1943)");
  }

  @Test
  void readsAReindentedPageWithLinksSpanningLines() {
    var book = parse("36897178");

    assertThat(book.text(TITLE)).isEqualTo("伽利略的错误");
    assertThat(book.text(AUTHOR)).isEqualTo("[英] 菲利普·高夫");
    assertThat(book.text(TRANSLATOR)).isEqualTo("傅星源");
    assertThat(book.text(PUBLISHER)).isEqualTo("上海文艺出版社");
    assertThat(book.text(SUBTITLE)).isEqualTo("为一种新的意识科学奠基");
    assertThat(book.text(ORIGINAL_TITLE))
        .isEqualTo("Galileo's Error: Foundations for a New Science of Consciousness");
    assertThat(book.text(PUB_DATE)).isEqualTo("2024-6");
    assertThat(book.integer(PAGES)).isEqualTo(226);
    assertThat(book.has(RATING)).as("评价人数不足").isFalse();
  }

  @Test
  void ignoresTheDefaultCoverOfAStubSubject() {
    var book = parse("25930607");

    assertThat(book.text(TITLE)).isEqualTo("9787539190594");
    assertThat(book.has(COVER)).isFalse();
    assertThat(book.has(AUTHOR)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1089243",
        "1152971",
        "2037260",
        "25930607",
        "26974266",
        "27012117",
        "35576094",
        "35902899",
        "36255848",
        "36897178"
      })
  void takesNoSubjectPageForARefusal(String id) {
    assertThat(parser.isRefusal(page(id))).isFalse();
    assertThat(DoubanInfo.read(page(id))).containsKey("ISBN");
  }

  @Test
  void recognisesTheRefusalPages() {
    var abnormal =
        Jsoup.parse(
            "<html><head><title>豆瓣</title></head><body><p>检测到有异常请求从你的 "
                + "IP 发出，请登录使用豆瓣。</p></body></html>");
    var login =
        Jsoup.parse(
            "<html><head><title>登录豆瓣</title></head><body><form "
                + "action=\"https://accounts.douban.com/login\"></form></body></html>");

    assertThat(parser.isRefusal(abnormal)).isTrue();
    assertThat(parser.isRefusal(login)).isTrue();
  }
}
