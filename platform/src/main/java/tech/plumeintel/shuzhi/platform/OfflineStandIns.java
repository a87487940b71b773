package tech.plumeintel.shuzhi.platform;

import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * Whether a service may use an offline stand-in (any WeChat code logs in; an answerer that talks
 * from the book's metadata) where credentials are missing: only in the {@code local} profile
 * <em>and</em> with {@code SHUZHI_OFFLINE_STANDINS=true}, which {@code ./local/run} sets. Two keys,
 * so that a profile variable leaking into a deployment cannot open every account to anyone.
 */
public final class OfflineStandIns {

  /** {@code SHUZHI_OFFLINE_STANDINS} in the environment. */
  public static final String PROPERTY = "shuzhi.offline-standins";

  private OfflineStandIns() {}

  public static boolean allowed(Environment environment) {
    return environment.acceptsProfiles(Profiles.of("local"))
        && environment.getProperty(PROPERTY, Boolean.class, false);
  }
}
