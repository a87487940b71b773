package tech.plumeintel.shuzhi.common.book;

import java.util.Optional;

/**
 * A checked ISBN, always held as its ISBN-13. Parse user input with {@link #parse(String)}; the
 * canonical constructor accepts only an already valid ISBN-13.
 */
public record Isbn(String value) {

  // Longer input is not an ISBN with separators but an attempt to make us scan a long string.
  private static final int MAX_INPUT_LENGTH = 32;

  public Isbn {
    if (value == null
        || value.length() != 13
        || !allDigits(value, 13)
        || !hasBooklandPrefix(value)
        || checkDigit13(value) != value.charAt(12) - '0') {
      throw new InvalidIsbnException("not a valid ISBN-13");
    }
  }

  /**
   * Reads an ISBN-10 or ISBN-13 as a reader types it: hyphens and spaces anywhere, an {@code X} (or
   * {@code x}) check digit for ISBN-10. The check digit is verified.
   *
   * @throws InvalidIsbnException when the input is not an ISBN
   */
  public static Isbn parse(String raw) {
    if (raw == null || raw.length() > MAX_INPUT_LENGTH) {
      throw new InvalidIsbnException("ISBN missing or too long");
    }
    var compact = new StringBuilder(13);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '-' || c == ' ') {
        continue;
      }
      if ((c >= '0' && c <= '9') || c == 'X' || c == 'x') {
        compact.append(Character.toUpperCase(c));
      } else {
        throw new InvalidIsbnException("ISBN contains an invalid character");
      }
    }
    var digits = compact.toString();
    return switch (digits.length()) {
      case 10 -> fromIsbn10(digits);
      case 13 -> new Isbn(digits);
      default -> throw new InvalidIsbnException("an ISBN has 10 or 13 digits");
    };
  }

  /** The ISBN-10 form, which only 978-prefixed ISBNs have. */
  public Optional<String> isbn10() {
    if (!value.startsWith("978")) {
      return Optional.empty();
    }
    var body = value.substring(3, 12);
    int check = checkDigit10(body);
    return Optional.of(body + (check == 10 ? "X" : Integer.toString(check)));
  }

  @Override
  public String toString() {
    return value;
  }

  private static Isbn fromIsbn10(String digits) {
    if (!allDigits(digits, 9)) {
      throw new InvalidIsbnException("ISBN-10 must start with nine digits");
    }
    char last = digits.charAt(9);
    int given = last == 'X' ? 10 : last - '0';
    if (checkDigit10(digits.substring(0, 9)) != given) {
      throw new InvalidIsbnException("ISBN-10 check digit does not match");
    }
    var body = "978" + digits.substring(0, 9);
    return new Isbn(body + checkDigit13(body));
  }

  private static int checkDigit10(String nineDigits) {
    int sum = 0;
    for (int i = 0; i < 9; i++) {
      sum += (10 - i) * (nineDigits.charAt(i) - '0');
    }
    return (11 - sum % 11) % 11;
  }

  private static int checkDigit13(String digits) {
    int sum = 0;
    for (int i = 0; i < 12; i++) {
      sum += (i % 2 == 0 ? 1 : 3) * (digits.charAt(i) - '0');
    }
    return (10 - sum % 10) % 10;
  }

  private static boolean allDigits(String s, int count) {
    for (int i = 0; i < count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean hasBooklandPrefix(String digits) {
    return digits.startsWith("978") || digits.startsWith("979");
  }
}
