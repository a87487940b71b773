package tech.plumeintel.shuzhi.testsupport;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while it is open (all loggers, all levels that are enabled), with stack
 * traces, so that tests can assert that no secret, token or message text was ever logged.
 */
public final class CapturedLogs implements AutoCloseable {

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Appender appender = new Appender();
  private final Logger root;

  private CapturedLogs() {
    var context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  public static CapturedLogs start() {
    return new CapturedLogs();
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines that contain {@code secret}, to be asserted empty. */
  public List<String> linesContaining(String secret) {
    return lines.stream().filter(line -> line.contains(secret)).toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }

  private final class Appender extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      var line =
          new StringBuilder()
              .append(event.getLevel())
              .append(' ')
              .append(event.getLoggerName())
              .append(' ')
              .append(event.getFormattedMessage());
      if (!event.getMDCPropertyMap().isEmpty()) {
        line.append(' ').append(event.getMDCPropertyMap());
      }
      if (event.getThrowableProxy() != null) {
        line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
      lines.add(line.toString());
    }
  }
}
