package tech.plumeintel.shuzhi.api.book;

import org.jspecify.annotations.Nullable;
import tech.plumeintel.shuzhi.api.web.ApiException;
import tech.plumeintel.shuzhi.common.book.InvalidIsbnException;
import tech.plumeintel.shuzhi.common.book.Isbn;

/** An ISBN as a client sent it, in a path or a body: parsed, or refused with 400. */
public final class IsbnParameter {

  private IsbnParameter() {}

  /**
   * @throws ApiException {@code INVALID_PARAMS} when missing or not an ISBN
   */
  public static Isbn parse(@Nullable String value) {
    if (value == null) {
      throw ApiException.invalid("缺少 isbn");
    }
    try {
      return Isbn.parse(value);
    } catch (InvalidIsbnException e) {
      throw ApiException.invalid("ISBN 不正确：" + e.getMessage());
    }
  }
}
