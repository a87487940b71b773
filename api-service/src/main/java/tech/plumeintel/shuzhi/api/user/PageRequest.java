package tech.plumeintel.shuzhi.api.user;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import tech.plumeintel.shuzhi.api.web.ApiException;

/** {@code limit}/{@code offset} of a list request, checked and capped. */
record PageRequest(int limit, int offset) {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  static PageRequest of(@Nullable String limit, @Nullable String offset) {
    return new PageRequest(
        number(limit, DEFAULT_LIMIT, 1, MAX_LIMIT, "limit"),
        number(offset, 0, 0, 1_000_000, "offset"));
  }

  /** The contract's list shape, with absolute links to the neighbouring pages. */
  <T> Page<T> page(long count, List<T> results) {
    String next = null;
    String previous = null;
    if (offset + results.size() < count) {
      next = link(offset + limit);
    }
    if (offset > 0) {
      previous = link(Math.max(0, Math.min(offset - limit, (int) Math.max(0, count - limit))));
    }
    return new Page<>(count, next, previous, results);
  }

  private String link(int newOffset) {
    return ServletUriComponentsBuilder.fromCurrentRequest()
        .replaceQueryParam("limit", limit)
        .replaceQueryParam("offset", newOffset)
        .toUriString();
  }

  private static int number(@Nullable String value, int fallback, int min, int max, String name) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      var parsed = Integer.parseInt(value.trim());
      if (parsed < min) {
        throw new NumberFormatException();
      }
      return Math.min(parsed, max);
    } catch (NumberFormatException e) {
      throw ApiException.invalid(name + " 须为不小于 " + min + " 的整数");
    }
  }

  /** One page of a list. */
  record Page<T>(long count, @Nullable String next, @Nullable String previous, List<T> results) {}
}
