package tech.plumeintel.shuzhi.api.auth;

/**
 * Whether a correctly signed token still counts: a signature proves only that we issued it, not
 * that its reader still exists or that its family was not revoked since.
 */
interface TokenStanding {

  boolean stands(String userId, String family);
}
