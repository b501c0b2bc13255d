package palisade.runtime.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import palisade.core.ConfigException;

/**
 * Configures Logback from the node's {@code log:} section at the daemon's start, replacing logback.xml's console
 * appender: standard output or a file rolled by size ({@code palisade.log}, then {@code .1} ... {@code .max_files}),
 * text or JSON lines, Palisade's loggers at {@code log.level}, ZooKeeper and Curator as logback.xml sets them (only
 * errors unless {@code -Dpalisade.zk.level}). Log files are private: 0600, in a directory made 0700 when the daemon
 * creates it (a directory that exists keeps its mode: the package may own it).
 */
public final class LogSetup {
  /** {@code 2026-12-03T18:22:11.123Z INFO  [event] node1/daemon: ...}: UTC, ISO-8601, as every CLI table. */
  static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%logger{0}] %msg%n";

  private LogSetup() {}

  /** Applies the section; a file that cannot be made is a configuration error naming {@code log.file}. */
  public static void apply(LogSection log) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    OutputStreamAppender<ILoggingEvent> appender = log.file() == null ? console(ctx) : file(ctx, log);
    appender.setName(log.file() == null ? "OUT" : "FILE");
    appender.setEncoder(encoder(ctx, log.format()));
    ClasspathLineFilter filter = new ClasspathLineFilter();
    filter.setContext(ctx);
    filter.start();
    appender.addFilter(filter);
    appender.start();
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    ctx.getLogger("palisade").setLevel(Level.toLevel(log.level().toUpperCase(Locale.ROOT), Level.INFO));
    // logback.xml sets these two to INFO for a daemon run without this setup; here they follow log.level
    ctx.getLogger("palisade.event").setLevel(null);
    ctx.getLogger("palisade.daemon").setLevel(null);
  }

  private static OutputStreamAppender<ILoggingEvent> console(LoggerContext ctx) {
    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setContext(ctx);
    return out;
  }

  private static OutputStreamAppender<ILoggingEvent> file(LoggerContext ctx, LogSection log) {
    Path file = log.file().toAbsolutePath();
    try {
      Path dir = file.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
            "rwx------")));
      }
      if (!Files.exists(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException("log.file: cannot create " + file + ": " + e.getMessage());
    }
    PrivateRollingFileAppender a = new PrivateRollingFileAppender();
    a.setContext(ctx);
    a.setFile(file.toString());
    FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
    rolling.setContext(ctx);
    rolling.setParent(a);
    rolling.setFileNamePattern(file + ".%i");
    rolling.setMinIndex(1);
    rolling.setMaxIndex(log.maxFiles());
    rolling.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(ctx);
    trigger.setMaxFileSize(new FileSize(log.maxSizeBytes()));
    // The size is checked at every line (a stat; logback's default looks once a minute, and a chatty minute, say a
    // store election, would overshoot max_size by as much as it wrote).
    trigger.setCheckIncrement(ch.qos.logback.core.util.Duration.buildByMilliseconds(0));
    trigger.start();
    a.setRollingPolicy(rolling);
    a.setTriggeringPolicy(trigger);
    return a;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, LogSection.Format format) {
    return switch (format) {
      case TEXT -> {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(TEXT_PATTERN);
        e.start();
        yield e;
      }
      case JSON -> {
        JsonLineEncoder e = new JsonLineEncoder();
        e.setContext(ctx);
        e.start();
        yield e;
      }
    };
  }

  /**
   * A rolling file appender whose every file is private: the file is created 0600 before Logback opens it, at start
   * and after each roll (Logback opens the fresh file inside the roll, under the appender's lock, so no line is
   * written into a file readable by others).
   */
  static final class PrivateRollingFileAppender extends RollingFileAppender<ILoggingEvent> {
    @Override
    public void openFile(String name) throws IOException {
      Path f = Path.of(name);
      if (!Files.exists(f)) {
        Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      super.openFile(name);
    }
  }
}
