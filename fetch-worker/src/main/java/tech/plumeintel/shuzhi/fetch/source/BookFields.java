package tech.plumeintel.shuzhi.fetch.source;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** What one source knows about a book: only fields that have a value. Immutable. */
public final class BookFields {

  private final Map<BookField, Object> values;

  private BookFields(Map<BookField, Object> values) {
    this.values = Collections.unmodifiableMap(new EnumMap<>(values));
  }

  public static Builder builder() {
    return new Builder();
  }

  public @Nullable Object get(BookField field) {
    return values.get(field);
  }

  public @Nullable String text(BookField field) {
    return (String) values.get(field);
  }

  public @Nullable Integer integer(BookField field) {
    return (Integer) values.get(field);
  }

  public @Nullable Double decimal(BookField field) {
    return (Double) values.get(field);
  }

  public boolean has(BookField field) {
    return values.containsKey(field);
  }

  public Set<BookField> present() {
    return values.keySet();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  @Override
  public String toString() {
    return "BookFields" + values;
  }

  /** Collects fields, dropping blanks, so that an empty field never wins a merge. */
  public static final class Builder {

    private final EnumMap<BookField, Object> values = new EnumMap<>(BookField.class);

    private Builder() {}

    public Builder put(BookField field, @Nullable Object value) {
      if (value == null || (value instanceof String text && text.isBlank())) {
        return this;
      }
      if (!field.type().isInstance(value)) {
        throw new IllegalArgumentException(field + " takes " + field.type().getSimpleName());
      }
      values.put(field, value instanceof String text ? text.strip() : value);
      return this;
    }

    /** Sets the field only if no value was put before: earlier, better evidence wins. */
    public Builder putIfAbsent(BookField field, @Nullable Object value) {
      return values.containsKey(field) ? this : put(field, value);
    }

    public boolean has(BookField field) {
      return values.containsKey(field);
    }

    public BookFields build() {
      return new BookFields(values);
    }
  }
}
