package tech.plumeintel.shuzhi.chat.prompt;

import com.mongodb.MongoException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tech.plumeintel.shuzhi.common.book.Book;
import tech.plumeintel.shuzhi.common.chat.ChatRequested;

/**
 * Builds the prompt of a job: a system prompt from the book, then the client's turns. The system
 * prompt depends on the book only, never on the time or the request, so it stays byte-identical
 * across the turns of a conversation and DeepSeek's prefix cache hits.
 */
@Component
public class PromptBuilder {

  private static final Logger log = LoggerFactory.getLogger(PromptBuilder.class);

  // Bounds keep a scraped page's oddities (a 20,000-character introduction) from eating the
  // context.
  static final int MAX_FIELD = 200;
  static final int MAX_INTRODUCTION = 1_500;
  static final int MAX_AUTHOR_INTRO = 600;

  private final BookShelf shelf;

  PromptBuilder(BookShelf shelf) {
    this.shelf = shelf;
  }

  public Prompt build(ChatRequested job) {
    Book book = null;
    try {
      book = shelf.find(job.isbn()).orElse(null);
    } catch (MongoException e) {
      // The chat goes on with what is known: the ISBN.
      log.warn("Book {} unreadable for request {}: {}", job.isbn(), job.requestId(), e.toString());
    }
    return new Prompt(job.isbn(), book, systemPrompt(job.isbn(), book), job.messages());
  }

  static String systemPrompt(String isbn, @Nullable Book book) {
    var text =
        new StringBuilder(
            "你是“书智”，一位博学、严谨的读书伙伴。用户正在一个微信小程序里和你讨论一本书。"
                + "请用用户使用的语言回答，简洁清楚；不确定的内容要说明，不要编造书中没有的情节、引文或数据。\n\n");
    if (book == null) {
      text.append("这本书的书目信息还没有查到，只知道它的 ISBN：")
          .append(isbn)
          .append("。请根据 ISBN 和你已有的知识回答；如果不能确定是哪本书，请坦率说明，并请用户告诉你书名。\n");
      return text.toString();
    }
    text.append("这本书的书目信息：\n");
    line(text, "ISBN", isbn, MAX_FIELD);
    line(text, "书名", book.title(), MAX_FIELD);
    line(text, "副标题", book.subtitle(), MAX_FIELD);
    line(text, "原作名", book.originalTitle(), MAX_FIELD);
    line(text, "作者", book.author(), MAX_FIELD);
    line(text, "译者", book.translator(), MAX_FIELD);
    line(text, "出版社", book.publisher(), MAX_FIELD);
    line(text, "出版时间", book.pubDate(), MAX_FIELD);
    line(text, "丛书", book.series(), MAX_FIELD);
    line(text, "内容简介", book.introduction(), MAX_INTRODUCTION);
    line(text, "作者简介", book.authorIntro(), MAX_AUTHOR_INTRO);
    text.append("\n以上信息来自书目数据库，可能不完整；超出这些信息的内容请凭你的知识回答，并注意区分。\n");
    return text.toString();
  }

  private static void line(StringBuilder text, String label, @Nullable String value, int max) {
    if (value == null || value.isBlank()) {
      return;
    }
    text.append(label).append("：").append(truncate(value.strip(), max)).append('\n');
  }

  /** At most {@code max} code points, with an ellipsis when cut. */
  public static String truncate(String value, int max) {
    if (value.codePointCount(0, value.length()) <= max) {
      return value;
    }
    return value.substring(0, value.offsetByCodePoints(0, max)) + "…";
  }
}
