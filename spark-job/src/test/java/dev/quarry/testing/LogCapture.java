package dev.quarry.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything logged at INFO and above while it is open (messages and stack traces, as text), from the
 * test JVM: driver and, in local mode, executors. The console keeps showing warnings only.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {
  private final List<String> lines = new ArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final Level previousLevel;
  private final Map<String, Appender> previousAppenders;

  private LogCapture() {
    super("quarry-log-capture", null, null, true, Property.EMPTY_ARRAY);
    LoggerConfig root = context.getConfiguration().getRootLogger();
    previousLevel = root.getLevel();
    previousAppenders = Map.copyOf(root.getAppenders());
  }

  public static LogCapture capture() {
    LogCapture capture = new LogCapture();
    capture.start();
    LoggerConfig root = capture.context.getConfiguration().getRootLogger();
    capture.previousAppenders.forEach((name, appender) -> {
      root.removeAppender(name);
      root.addAppender(appender, Level.WARN, null);
    });
    root.addAppender(capture, Level.INFO, null);
    root.setLevel(Level.INFO);
    capture.context.updateLoggers();
    return capture;
  }

  @Override
  public synchronized void append(LogEvent event) {
    StringBuilder line = new StringBuilder(event.getMessage().getFormattedMessage());
    for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
      line.append(" | ").append(t);
    }
    lines.add(line.toString());
  }

  public synchronized String text() {
    return String.join("\n", lines);
  }

  public synchronized int size() {
    return lines.size();
  }

  @Override
  public void close() {
    LoggerConfig root = context.getConfiguration().getRootLogger();
    root.removeAppender(getName());
    previousAppenders.forEach((name, appender) -> {
      root.removeAppender(name);
      root.addAppender(appender, null, null);
    });
    root.setLevel(previousLevel);
    context.updateLoggers();
    stop();
  }
}
