package tech.plumeintel.shuzhi.platform.wechat;

import java.util.Locale;

/** What a checked text is, as metrics tag it. */
public enum CheckTarget {
  QUESTION,
  ANSWER,
  PROFILE;

  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
