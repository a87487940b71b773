package tech.plumeintel.shuzhi.common.book;

import java.util.Locale;

/** Where a book task stands; stored and shown in lower case. */
public enum BookTaskStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static BookTaskStatus fromWire(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
