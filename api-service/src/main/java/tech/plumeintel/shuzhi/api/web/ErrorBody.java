package tech.plumeintel.shuzhi.api.web;

/** The body of every error answer. */
public record ErrorBody(String code, String message) {

  public static ErrorBody of(ErrorCode code, String message) {
    return new ErrorBody(code.name(), message);
  }
}
