package tech.plumeintel.shuzhi.testsupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which a secret or token was logged, anywhere in the JVM. Registered for
 * every test of every module through JUnit's extension auto-detection (see test-support's {@code
 * junit-platform.properties}).
 */
public class NoSecretsInLogs implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) {
    if (SecretsGuardAppender.LEAKS.isEmpty()) {
      return;
    }
    var leaks = String.join("\n", SecretsGuardAppender.LEAKS);
    SecretsGuardAppender.LEAKS.clear();
    throw new AssertionError(
        "Secrets or tokens were logged during " + context.getDisplayName() + ":\n" + leaks);
  }
}
