package palisade.runtime.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Marker;

/**
 * Drops Curator's cache ERROR line (with a stack trace) for a read cut off by a lost connection or session: the
 * store client already says so once ("store connection SUSPENDED / LOST") and the view reloads on reconnection,
 * while the cache logs one per znode it was reading — 485,000 lines (500 MB) in one daemon's log at 50,000
 * resources. Any other cache error still shows. Public: logback.xml names it.
 */
public final class CacheLossFilter extends TurboFilter {
  static final String CACHE_LOGGER = "org.apache.curator.framework.recipes.cache.CuratorCacheImpl";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (t == null || logger == null || !CACHE_LOGGER.equals(logger.getName())) return FilterReply.NEUTRAL;
    return t instanceof KeeperException.ConnectionLossException || t instanceof KeeperException.SessionExpiredException
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
