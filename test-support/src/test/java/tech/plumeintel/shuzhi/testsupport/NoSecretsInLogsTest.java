package tech.plumeintel.shuzhi.testsupport;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class NoSecretsInLogsTest {

  private static final Logger log = LoggerFactory.getLogger(NoSecretsInLogsTest.class);

  @Test
  void aLoggedTokenOrSecretFailsTheTestClassAndOrdinaryLinesDoNot() {
    var guard = new NoSecretsInLogs();
    var context = mock(ExtensionContext.class);

    log.info("user {} looked up {}", "u1", "9787532190294");
    assertThatCode(() -> guard.afterAll(context)).doesNotThrowAnyException();

    log.info("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl");
    assertThatThrownBy(() -> guard.afterAll(context))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("eyJ");

    log.warn("config value sk-" + SecretsGuardAppender.SECRET_MARKER);
    assertThatThrownBy(() -> guard.afterAll(context)).isInstanceOf(AssertionError.class);
    assertThatCode(() -> guard.afterAll(context)).doesNotThrowAnyException();
  }
}
