package tech.plumeintel.shuzhi.api.auth;

/**
 * The reader making the request, as proven by their access token. Controllers take it as a
 * parameter; {@link AccessTokenFilter} guarantees it exists on every {@code /api/} request but
 * login.
 */
public record Caller(String userId) {

  static final String REQUEST_ATTRIBUTE = Caller.class.getName();
}
