package tech.plumeintel.shuzhi.platform;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Makes unguessable ids (128 random bits, URL-safe): task ids and stream ids are handed to clients,
 * so they must not be enumerable. Injected so tests can make their own.
 */
public class IdGenerator {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private final SecureRandom random = new SecureRandom();

  public String next() {
    var bytes = new byte[16];
    random.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
