package palisade.runtime.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import palisade.core.EventLog;

/**
 * The cluster event log: every event goes to the daemon's log ({@link DaemonLog}, INFO; an ALERT is WARN) and,
 * best effort, to the store as a sequential znode under /events (a node without quorum loses its events from the
 * store, not from its log).
 * Each daemon trims the store's log to {@link #KEEP_MAX} entries every {@link #TRIM_EVERY} of its own events.
 */
final class Events implements EventLog {
  static final int KEEP_MAX = 2_000;
  static final int TRIM_EVERY = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CuratorFramework curator;
  private final String node;
  private long written;

  Events(CuratorFramework curator, String node) {
    this.curator = curator;
    this.node = node;
  }

  /** One event as stored: wall-clock time, the node that logged it, source and message. */
  public record Entry(long t, String node, String source, String message) {}

  @Override
  public void event(String source, String message) {
    Instant now = Instant.now();
    DaemonLog.event(source, message);
    if (!curator.getZookeeperClient().isConnected()) return;
    try {
      byte[] data = JSON.writeValueAsBytes(new Entry(now.toEpochMilli(), node, source, message));
      curator.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).inBackground().forPath("/events/e-", data);
      if (++written % TRIM_EVERY == 0) trim();
    } catch (Exception e) {
      // best effort: the daemon's log has it
    }
  }

  /**
   * As {@link #event}, but waits until the store holds it (bounded by the client's connection timeout): a daemon's
   * last event before it exits would otherwise be lost with the process.
   */
  void eventNow(String source, String message) {
    Instant now = Instant.now();
    DaemonLog.event(source, message);
    if (!curator.getZookeeperClient().isConnected()) return;
    try {
      curator.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath("/events/e-", JSON.writeValueAsBytes(
          new Entry(now.toEpochMilli(), node, source, message)));
    } catch (Exception e) {
      // best effort: the daemon's log has it
    }
  }

  private void trim() throws Exception {
    curator.getChildren().inBackground((c, ev) -> {
      List<String> children = ev.getChildren();
      if (children == null || children.size() <= KEEP_MAX) return;
      Collections.sort(children);
      for (String child : children.subList(0, children.size() - KEEP_MAX)) {
        c.delete().inBackground().forPath("/events/" + child);
      }
    }).forPath("/events");
  }

}
