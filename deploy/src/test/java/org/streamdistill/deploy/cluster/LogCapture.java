package org.streamdistill.deploy.cluster;

import java.io.StringWriter;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything logged while it is open, as text: what the test configuration lets through (our
 * INFO, others' WARN), plus the INFO configuration dumps of every Kafka client ({@code
 * ProducerConfig values: ...}), which only this capture receives. For checking that no secret
 * reaches a log.
 */
final class LogCapture implements AutoCloseable {

  /** The logger of the configuration dumps every Kafka client writes when it starts. */
  private static final List<String> CLIENT_CONFIG_LOGGERS = List.of("org.apache.kafka.common.config.AbstractConfig");

  private final StringWriter text = new StringWriter();
  private final LoggerContext context;
  private final WriterAppender appender;

  LogCapture() {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    appender = WriterAppender.newBuilder()
        .setName("log-capture")
        .setTarget(text)
        .setLayout(PatternLayout.newBuilder().withPattern("%level %c - %m%n%throwable").build())
        .build();
    appender.start();
    config.addAppender(appender);
    config.getRootLogger().addAppender(appender, null, null);
    for (String name : CLIENT_CONFIG_LOGGERS) {
      LoggerConfig logger = LoggerConfig.newBuilder().withLoggerName(name).withLevel(Level.INFO)
          .withAdditivity(false).withConfig(config).build();
      logger.addAppender(appender, null, null);
      config.addLogger(name, logger);
    }
    context.updateLoggers();
  }

  /** What was logged so far. */
  synchronized String text() {
    return text.toString();
  }

  @Override
  public void close() {
    Configuration config = context.getConfiguration();
    for (String name : CLIENT_CONFIG_LOGGERS) {
      config.removeLogger(name);
    }
    config.getRootLogger().removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}
