package palisade.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** logback.xml's turbo filter, as the daemon and the CLI load it: a cut-off cache read is not logged, others are. */
class CacheLossFilterTest {
  @Test
  void aCacheReadCutOffByALostConnectionIsDroppedOtherCacheErrorsShow() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(ctx.getTurboFilterList()).anyMatch(f -> f instanceof CacheLossFilter);
    Logger cache = ctx.getLogger(CacheLossFilter.CACHE_LOGGER);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.setContext(ctx);
    seen.start();
    cache.addAppender(seen);
    try {
      cache.error("CuratorCache error", new KeeperException.ConnectionLossException());
      cache.error("CuratorCache error", new KeeperException.SessionExpiredException());
      assertThat(seen.list).isEmpty();
      cache.error("CuratorCache error", new KeeperException.NoAuthException());
      assertThat(seen.list).hasSize(1);
    } finally {
      cache.detachAppender(seen);
    }
  }
}
