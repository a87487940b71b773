package tech.plumeintel.shuzhi.fetch.source;

/**
 * A field of a book that a source may know, named as in the stored book (and in its {@code sources}
 * map).
 */
public enum BookField {
  TITLE("title", String.class, true),
  SUBTITLE("subtitle", String.class, false),
  ORIGINAL_TITLE("original_title", String.class, false),
  AUTHOR("author", String.class, true),
  TRANSLATOR("translator", String.class, false),
  PUBLISHER("publisher", String.class, true),
  PUB_DATE("pub_date", String.class, true),
  PAGES("pages", Integer.class, true),
  PRICE("price", String.class, false),
  BINDING("binding", String.class, false),
  SERIES("series", String.class, false),
  RATING("rating", Double.class, false),
  RATING_COUNT("rating_count", Integer.class, false),
  INTRODUCTION("introduction", String.class, true),
  AUTHOR_INTRO("author_intro", String.class, false),
  COVER("cover_source_url", String.class, true);

  private final String key;
  private final Class<?> type;
  private final boolean core;

  BookField(String key, Class<?> type, boolean core) {
    this.key = key;
    this.type = type;
    this.core = core;
  }

  /** The field's name in the stored book. */
  public String key() {
    return key;
  }

  Class<?> type() {
    return type;
  }

  /**
   * Whether the book is worth asking another source for when this field is still empty. Most books
   * have no subtitle, series or translator, so their absence alone does not cost another request.
   */
  public boolean core() {
    return core;
  }
}
