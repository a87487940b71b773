package tech.plumeintel.shuzhi.common.book;

/** The input is not an ISBN; the message says why, in words fit for the reader. */
public class InvalidIsbnException extends IllegalArgumentException {
  public InvalidIsbnException(String message) {
    super(message);
  }
}
