package tech.plumeintel.shuzhi.fetch.source.douban;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/** The {@code #info} block of a Douban subject page: labelled facts such as 出版社 and 译者. */
final class DoubanInfo {

  private DoubanInfo() {}

  /**
   * The {@code #info} block as label → value, from both of its forms: {@code <span
   * class="pl">出版社:</span> <a>…</a><br>} and {@code <span><span class="pl"> 作者</span>: <a>…</a> /
   * <a>…</a></span>}. Several links (authors, translators) are joined with " / ".
   */
  static Map<String, String> read(Document page) {
    var info = new LinkedHashMap<String, String>();
    for (var label : page.select("#info span.pl")) {
      var name = clean(label.text()).replaceAll("[:：]$", "").strip();
      var parent = label.parent();
      List<Node> valueNodes = new ArrayList<>();
      if (parent != null && parent.tagName().equals("span") && !parent.id().equals("info")) {
        valueNodes.addAll(parent.childNodes());
        valueNodes.remove(label);
      } else {
        for (var node = label.nextSibling(); node != null; node = node.nextSibling()) {
          if (node instanceof Element element
              && (element.tagName().equals("br") || element.hasClass("pl"))) {
            break;
          }
          valueNodes.add(node);
        }
      }
      var value = valueOf(valueNodes);
      if (!name.isEmpty() && !value.isEmpty()) {
        info.putIfAbsent(name, value);
      }
    }
    return info;
  }

  private static String valueOf(List<Node> nodes) {
    var links = new ArrayList<String>();
    var text = new StringBuilder();
    for (var node : nodes) {
      if (node instanceof TextNode textNode) {
        text.append(textNode.text());
      } else if (node instanceof Element element) {
        for (var link : element.tagName().equals("a") ? List.of(element) : element.select("a")) {
          var linkText = clean(link.text());
          if (!linkText.isEmpty()) {
            links.add(linkText);
          }
        }
        text.append(' ').append(element.text());
      }
    }
    var value = links.isEmpty() ? clean(text.toString()) : String.join(" / ", links);
    return value.replaceFirst("^[:：\\s]+", "").strip();
  }

  /** Text as a reader sees it: no-break spaces and runs of whitespace become one space. */
  static String clean(String text) {
    return text.replace('\u00a0', ' ').replaceAll("\\s+", " ").strip();
  }
}
