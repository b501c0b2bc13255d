package palisade.runtime.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.core.Check;
import palisade.core.StorePaths;

/**
 * The cluster's finished failovers in the store, one znode each under {@link StorePaths#FAILOVERS}, holding the JSON
 * that {@code /api/failovers} shows for it; the newest {@link #KEEP} are kept. A znode is named after the failed node
 * and the wall-clock time the writer saw it go silent ({@code f-<13-digit ms>-<node>}, so names sort by time) and is
 * never changed after it is created.
 *
 * <p>Written once per failure: every daemon saw the same failure at slightly different times, so two views of it are
 * one failure when they are of the same node and their spans (silent to end) overlap (one node's failures follow
 * each other: the next starts only after it was online again). A write is a compare-and-set on the parent's data
 * version, bumped with each create in one multi: a writer that checked for an overlapping failure and found none
 * either creates its znode before anyone else wrote, or fails and checks again. A manager change therefore never
 * stores one failure twice, and a writer that retries after an ambiguous error finds its own znode.
 *
 * <p>Each instance caches what it read (the znodes never change), so a refresh costs one child listing and a read of
 * each new znode. Not thread-safe: one owner thread.
 */
public final class FailoverLog {
  public static final int KEEP = 50;
  static final int CAS_ATTEMPTS_MAX = 10;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  /** What {@link #store} did. */
  public enum Result {
    /** This call created the failure's znode. */
    STORED,
    /** The failure was stored already (by this or another daemon's view of it). */
    PRESENT,
    /** Older than every one of the {@link #KEEP} kept: it would be trimmed at once. */
    TOO_OLD
  }

  private final CuratorFramework client;
  /** Znode name -> its failover, for the znodes seen at the last listing. */
  private final TreeMap<String, Map<String, Object>> cache = new TreeMap<>();

  FailoverLog(CuratorFramework client) {
    this.client = client;
  }

  /** The znode name of a failure of node seen silent at silentMs. */
  static String name(String node, long silentMs) {
    Check.that(node.matches("[A-Za-z0-9_.-]{1,63}"), "failover: node name '" + node + "' cannot be a znode name");
    Check.that(silentMs >= 0, "failover: silent time " + silentMs + " before 1970");
    return String.format(java.util.Locale.ROOT, "f-%013d-%s", silentMs, node);
  }

  /** The stored failovers, newest first (re-read: new znodes are fetched, trimmed ones dropped). */
  public List<Map<String, Object>> read() throws Exception {
    list();
    List<Map<String, Object>> out = new ArrayList<>(cache.values());
    out.removeIf(Map::isEmpty);
    Collections.reverse(out);
    return out;
  }

  /**
   * Stores a finished failure unless it is stored already, then trims the log to {@link #KEEP}.
   *
   * @param failover the failure as the API shows it: node, silent_ms and end_ms are required
   */
  public Result store(Map<String, Object> failover) throws Exception {
    String node = (String) failover.get("node");
    long silentMs = millis(failover.get("silent_ms"));
    long endMs = millis(failover.get("end_ms"));
    Check.that(node != null && silentMs > 0 && endMs >= silentMs, "failover: a finished failure needs node, "
        + "silent_ms and end_ms (" + node + ", " + silentMs + ", " + endMs + ")");
    String name = name(node, silentMs);
    byte[] data = JSON.writeValueAsBytes(failover);
    for (int attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
      int version = list();
      if (version < 0) { // -1 would match any version: create the parent, then list again
        ensureParent();
        continue;
      }
      if (present(node, silentMs, endMs)) return Result.PRESENT;
      if (cache.size() >= KEEP && name.compareTo(cache.firstKey()) < 0) return Result.TOO_OLD;
      try {
        client.transaction().forOperations( // the parent's version, bumped: one writer at a time gets through
            client.transactionOp().setData().withVersion(version).forPath(StorePaths.FAILOVERS, new byte[0]),
            client.transactionOp().create().forPath(StorePaths.FAILOVERS + "/" + name, data));
      } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException e) {
        continue; // another writer came first: look again
      }
      cache.put(name, failover);
      trim();
      return Result.STORED;
    }
    throw new IllegalStateException(StorePaths.FAILOVERS + ": too many concurrent writers, gave up after "
        + CAS_ATTEMPTS_MAX);
  }

  /** Whether a stored failure of node overlaps silent..end. */
  private boolean present(String node, long silentMs, long endMs) {
    for (Map<String, Object> f : cache.values()) {
      if (!node.equals(f.get("node"))) continue;
      long s = millis(f.get("silent_ms"));
      Object e = f.get("end_ms");
      if (s <= endMs && silentMs <= (e == null ? Long.MAX_VALUE : millis(e))) return true;
    }
    return false;
  }

  /** Lists the znodes into the cache; returns the parent's data version (-1: no parent yet). */
  private int list() throws Exception {
    Stat stat = new Stat();
    List<String> children;
    try {
      children = client.getChildren().storingStatIn(stat).forPath(StorePaths.FAILOVERS);
    } catch (KeeperException.NoNodeException e) {
      cache.clear();
      return -1;
    }
    cache.keySet().retainAll(children);
    for (String c : children) {
      if (cache.containsKey(c) || !c.startsWith("f-")) continue;
      try {
        cache.put(c, JSON.readValue(client.getData().forPath(StorePaths.FAILOVERS + "/" + c), MAP));
      } catch (KeeperException.NoNodeException e) {
        // trimmed meanwhile
      } catch (IOException e) {
        cache.put(c, Map.of()); // not ours to show; listed so it is not read again
      }
    }
    return stat.getVersion();
  }

  private void ensureParent() throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(StorePaths.FAILOVERS, new byte[0]);
    } catch (KeeperException.NodeExistsException e) {
      // another writer created it
    }
  }

  /** Deletes the oldest beyond {@link #KEEP} (a concurrent trim may have deleted one already). */
  private void trim() throws Exception {
    while (cache.size() > KEEP) {
      String oldest = cache.pollFirstEntry().getKey();
      try {
        client.delete().forPath(StorePaths.FAILOVERS + "/" + oldest);
      } catch (KeeperException.NoNodeException e) {
        // gone already
      }
    }
  }

  private static long millis(Object v) {
    return v instanceof Number n ? n.longValue() : -1;
  }
}
