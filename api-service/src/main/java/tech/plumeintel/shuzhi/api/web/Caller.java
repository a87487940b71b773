package tech.plumeintel.shuzhi.api.web;

/**
 * The reader making the request, as proven by their access token. Controllers take it as a
 * parameter; the access token filter ({@code auth/AccessTokenFilter}) puts it on every {@code
 * /api/} request but login, under {@link #REQUEST_ATTRIBUTE}.
 */
public record Caller(String userId) {

  public static final String REQUEST_ATTRIBUTE = Caller.class.getName();
}
