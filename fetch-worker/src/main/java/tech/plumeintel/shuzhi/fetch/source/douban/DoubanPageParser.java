package tech.plumeintel.shuzhi.fetch.source.douban;

import static tech.plumeintel.shuzhi.fetch.source.BookField.*;
import static tech.plumeintel.shuzhi.fetch.source.douban.DoubanInfo.clean;

import java.util.ArrayList;
import java.util.Map;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.fetch.source.BookField;
import tech.plumeintel.shuzhi.fetch.source.BookFields;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Douban subject page: the ld+json block and {@code og:} tags first, then the {@code #info}
 * labels, the rating, the introductions (the full text from {@code span.all.hidden} over the cut
 * one) and the cover.
 */
final class DoubanPageParser {

  // The #info labels and the fields they fill; 作者 only backs up the ld+json authors.
  private static final Map<String, BookField> LABELS =
      Map.of(
          "作者",
          AUTHOR,
          "译者",
          TRANSLATOR,
          "出版社",
          PUBLISHER,
          "出版年",
          PUB_DATE,
          "页数",
          PAGES,
          "定价",
          PRICE,
          "装帧",
          BINDING,
          "丛书",
          SERIES,
          "原作名",
          ORIGINAL_TITLE,
          "副标题",
          SUBTITLE);
  private static final Pattern LEADING_NUMBER = Pattern.compile("^\\d+");
  private static final Pattern DECIMAL = Pattern.compile("^\\d+(\\.\\d+)?$");

  // Douban's ld+json is hand-assembled and now and then carries raw newlines inside strings.
  private final JsonMapper json =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();

  /**
   * Whether the page is one of Douban's refusals (the "异常请求" notice, a login wall, the ban page)
   * rather than a book. A subject page always has {@code #info}.
   */
  boolean isRefusal(Document page) {
    if (page.getElementById("info") != null) {
      return false;
    }
    var title = page.title();
    var text = page.body() == null ? "" : page.body().text();
    return text.contains("异常请求")
        || title.contains("登录")
        || title.contains("禁止访问")
        || page.selectFirst("form[action*=login]") != null;
  }

  BookFields parse(Document page) {
    var fields = BookFields.builder();
    readLinkedData(page, fields);
    fields.putIfAbsent(TITLE, meta(page, "og:title"));
    var itemName = page.selectFirst("[property=v:itemreviewed]");
    fields.putIfAbsent(TITLE, itemName == null ? null : itemName.text());
    readInfo(page, fields);
    readRating(page, fields);
    fields.put(INTRODUCTION, section(page, "内容简介"));
    fields.putIfAbsent(INTRODUCTION, meta(page, "og:description"));
    fields.put(AUTHOR_INTRO, section(page, "作者简介"));
    fields.put(COVER, cover(page));
    return fields.build();
  }

  private void readLinkedData(Document page, BookFields.Builder fields) {
    var script = page.selectFirst("script[type=application/ld+json]");
    if (script == null) {
      return;
    }
    JsonNode data;
    try {
      data = json.readTree(script.data());
    } catch (JacksonException e) {
      return; // the og: tags and #info say the same
    }
    fields.put(TITLE, textOf(data.path("name")));
    var authors = new ArrayList<String>();
    for (var author : data.path("author")) {
      var name = textOf(author.path("name"));
      if (name != null && !name.isBlank()) {
        authors.add(clean(name));
      }
    }
    fields.put(AUTHOR, String.join(" / ", authors));
  }

  private void readInfo(Document page, BookFields.Builder fields) {
    for (var entry : DoubanInfo.read(page).entrySet()) {
      var field = LABELS.get(entry.getKey());
      if (field == null) {
        continue;
      }
      var value = entry.getValue();
      if (field == PAGES) {
        var digits = LEADING_NUMBER.matcher(value);
        fields.putIfAbsent(PAGES, digits.find() ? parsePages(digits.group()) : null);
      } else {
        fields.putIfAbsent(field, value);
      }
    }
  }

  private static void readRating(Document page, BookFields.Builder fields) {
    var average = page.selectFirst("#interest_sectl .rating_num");
    var text = average == null ? "" : clean(average.text());
    if (DECIMAL.matcher(text).matches() && Double.parseDouble(text) > 0) {
      fields.put(RATING, Double.parseDouble(text));
      var votes = page.selectFirst("#interest_sectl [property=v:votes]");
      if (votes != null && LEADING_NUMBER.matcher(clean(votes.text())).matches()) {
        fields.put(RATING_COUNT, parsePages(clean(votes.text())));
      }
    }
  }

  /** The text under a heading such as 内容简介: the full version when the page cut it short. */
  private static @Nullable String section(Document page, String heading) {
    for (var h2 : page.select("h2")) {
      var title = h2.selectFirst("span");
      if (title == null || !clean(title.text()).equals(heading)) {
        continue;
      }
      var body = h2.nextElementSibling();
      while (body != null && !body.hasClass("indent") && !body.tagName().equals("h2")) {
        body = body.nextElementSibling();
      }
      if (body == null || !body.hasClass("indent")) {
        return null;
      }
      var full = body.selectFirst("span.all.hidden");
      var intro = (full != null ? full : body).selectFirst(".intro");
      return intro == null ? null : paragraphs(intro);
    }
    return null;
  }

  private static String paragraphs(Element intro) {
    intro.select("a.a_show_full, style").remove();
    var paragraphs = intro.select("p");
    if (paragraphs.isEmpty()) {
      return clean(intro.text());
    }
    var lines = new ArrayList<String>();
    for (var paragraph : paragraphs) {
      var line = clean(paragraph.text());
      if (!line.isEmpty()) {
        lines.add(line);
      }
    }
    return String.join("\n", lines);
  }

  private static @Nullable String cover(Document page) {
    var candidates = new ArrayList<String>();
    candidates.add(meta(page, "og:image"));
    var large = page.selectFirst("#mainpic a.nbg");
    candidates.add(large == null ? null : large.absUrl("href"));
    var small = page.selectFirst("#mainpic img");
    candidates.add(small == null ? null : small.absUrl("src"));
    for (var url : candidates) {
      // The stub subject shows a placeholder that links to an upload form.
      if (url != null
          && !url.isBlank()
          && !url.contains("book-default")
          && !url.contains("update_image")) {
        return url.strip();
      }
    }
    return null;
  }

  private static @Nullable String meta(Document page, String property) {
    var tag = page.selectFirst("meta[property=" + property + "]");
    return tag == null ? null : clean(tag.attr("content"));
  }

  private static @Nullable String textOf(JsonNode node) {
    return node.isString() ? node.stringValue() : null;
  }

  private static @Nullable Integer parsePages(String digits) {
    try {
      return Integer.valueOf(digits);
    } catch (NumberFormatException e) {
      return null; // more digits than any book has pages
    }
  }
}
