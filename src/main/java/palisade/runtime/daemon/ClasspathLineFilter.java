package palisade.runtime.daemon;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops ZooKeeper's "environment" lines that print the whole class path and library path (kilobytes each, at the top
 * of a log, whenever ZooKeeper logs at INFO); its other environment lines stay. Public: logback.xml names it.
 */
public final class ClasspathLineFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    String m = event.getFormattedMessage();
    if (m != null && m.contains("environment:java.") && (m.contains("java.class.path=")
        || m.contains("java.library.path="))) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
