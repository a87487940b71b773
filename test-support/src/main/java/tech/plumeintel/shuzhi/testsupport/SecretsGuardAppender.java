package tech.plumeintel.shuzhi.testsupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Watches every log line of every test run (it is in test-support's {@code logback-test.xml}) for
 * what must never be logged: JWTs, WeChat session keys, and the test suites' secrets, which all
 * contain {@value #SECRET_MARKER} by convention. {@link NoSecretsInLogs} fails the test class that
 * logged one.
 */
public class SecretsGuardAppender extends AppenderBase<ILoggingEvent> {

  /** Put this in every secret a test configures, so that the guard recognises it. */
  public static final String SECRET_MARKER = "never-logged";

  private static final List<Pattern> FORBIDDEN =
      List.of(
          Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"),
          Pattern.compile(Pattern.quote(SECRET_MARKER)),
          Pattern.compile("session_key"),
          Pattern.compile("D1ZWEygStjuLCnZ9IN2l4Q"));

  static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  @Override
  protected void append(ILoggingEvent event) {
    var text =
        new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    text.append(' ').append(event.getMDCPropertyMap());
    if (event.getThrowableProxy() != null) {
      text.append(' ').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    for (var pattern : FORBIDDEN) {
      if (pattern.matcher(text).find()) {
        LEAKS.add(
            event.getLoggerName()
                + ": "
                + pattern.pattern()
                + " in \""
                + text.substring(0, Math.min(300, text.length()))
                + "\"");
        return;
      }
    }
  }
}
