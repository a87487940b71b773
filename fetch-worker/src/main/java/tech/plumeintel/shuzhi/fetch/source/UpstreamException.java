package tech.plumeintel.shuzhi.fetch.source;

/** A source could not be asked at all: it timed out, refused the connection, or sent too much. */
public class UpstreamException extends RuntimeException {

  public UpstreamException(String message) {
    super(message);
  }

  public UpstreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
