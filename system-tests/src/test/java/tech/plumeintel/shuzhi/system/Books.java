package tech.plumeintel.shuzhi.system;

import java.nio.charset.StandardCharsets;
import tech.plumeintel.shuzhi.testsupport.SourceStandIn;

/**
 * Books the stand-in sources know. Any ISBN can be made to lead to Douban's recorded page of
 * 《黄金时代》, so every test looks up a book of its own and never finds another test's copy in the
 * cache.
 */
final class Books {

  static final String SUBJECT = "1089243";
  static final String TITLE = "黄金时代";
  static final String AUTHOR = "王小波";
  static final String COVER_PATH = "/view/subject/l/public/s1076372.jpg";
  static final byte[] COVER =
      "\u00ff\u00d8\u00ff system-test jpeg".getBytes(StandardCharsets.ISO_8859_1);

  private Books() {}

  /** Douban redirects this ISBN to the recorded subject page, whose cover it also serves. */
  static void onDouban(Upstreams upstreams, String isbn) {
    upstreams
        .douban
        .on("/subject/" + SUBJECT + "/", SourceStandIn.html(upstreams.doubanPage(SUBJECT)))
        .on(COVER_PATH, SourceStandIn.body(200, "image/jpeg", COVER))
        .on(doubanPath(isbn), SourceStandIn.redirect("/subject/" + SUBJECT + "/"));
  }

  static String doubanPath(String isbn) {
    return "/isbn/" + isbn + "/";
  }
}
