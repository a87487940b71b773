package tech.plumeintel.shuzhi.platform.wechat;

/**
 * A WeChat server call that gave no usable answer. The message names the call and the errcode, HTTP
 * status or kind of failure, never a token, a secret or checked text.
 */
public final class WechatCallException extends RuntimeException {

  /** WeChat's "access_token is invalid" and "access_token expired". */
  static final int TOKEN_INVALID = 40001;

  static final int TOKEN_EXPIRED = 42001;

  private final int errcode;
  private final String reason;

  WechatCallException(String reason, int errcode, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.errcode = errcode;
  }

  static WechatCallException errcode(String call, int errcode) {
    var reason =
        switch (errcode) {
          case -1 -> "busy";
          case TOKEN_INVALID, TOKEN_EXPIRED -> "token";
          case 45009, 45011 -> "rate_limited";
          default -> "errcode";
        };
    return new WechatCallException(reason, errcode, call + " answered errcode " + errcode);
  }

  /** The errcode WeChat answered, or 0 when it answered none (transport, HTTP status, body). */
  public int errcode() {
    return errcode;
  }

  /** A short tag for metrics: busy, token, rate_limited, errcode, timeout, http, io, malformed. */
  public String reason() {
    return reason;
  }

  boolean tokenRejected() {
    return errcode == TOKEN_INVALID || errcode == TOKEN_EXPIRED;
  }

  /** Worth one more try: WeChat busy, a timeout, a 5xx, a broken connection. */
  boolean transientFailure() {
    return switch (reason) {
      case "busy", "timeout", "http", "io" -> true;
      default -> false;
    };
  }
}
