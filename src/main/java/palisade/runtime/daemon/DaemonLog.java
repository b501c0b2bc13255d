package palisade.runtime.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's own log lines, through SLF4J with levels: cluster events are INFO on logger {@code palisade.event}
 * ({@code source: message}, as the store keeps them), an event that is an {@code ALERT} is WARN; the daemon's lines
 * about itself are INFO on {@code palisade.daemon}, and a {@code FATAL} one (the daemon is about to halt) is ERROR.
 * Where the lines go and in which format is {@link LogSetup}'s.
 */
final class DaemonLog {
  static final Logger EVENT = LoggerFactory.getLogger("palisade.event");
  static final Logger DAEMON = LoggerFactory.getLogger("palisade.daemon");

  private DaemonLog() {}

  static void event(String source, String message) {
    String line = source + ": " + message;
    if (message.startsWith("ALERT")) {
      EVENT.warn(line);
    } else {
      EVENT.info(line);
    }
  }

  static void info(String message) {
    DAEMON.info(message);
  }

  /** The daemon is about to stop on this: ERROR, with "FATAL: " in front as before. */
  static void fatal(String message) {
    DAEMON.error("FATAL: " + message);
  }

  static void fatal(String message, Throwable t) {
    DAEMON.error("FATAL: " + message, t);
  }
}
