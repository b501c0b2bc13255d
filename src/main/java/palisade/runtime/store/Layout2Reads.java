package palisade.runtime.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import palisade.runtime.store.Layout2.Head;
import palisade.runtime.store.Layout2.Stored;

/**
 * A synchronous read of a logical record stored in layout 2 (the operator's handle, backups, migration): the head,
 * then every entry, pipelined; read again when the entries do not give the head's count and digest (a write landed
 * between the reads), so the record returned is one the store held.
 */
final class Layout2Reads {
  static final int ATTEMPTS_MAX = 20;
  /** Entry reads outstanding at once. */
  static final int IN_FLIGHT_MAX = 500;

  private Layout2Reads() {}

  /**
   * The record at logical with its entries, or null when it is absent or stored in layout 1. When the head is at
   * the version of known (what this handle read or wrote last), that is the record: its entries are not read again.
   */
  static Stored read(CuratorFramework client, String logical, Stored known) throws Exception {
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      Stat stat = new Stat();
      byte[] data;
      try {
        data = client.getData().storingStatIn(stat).forPath(logical);
      } catch (KeeperException.NoNodeException e) {
        return null;
      }
      if (!Layout2.isHead(data)) return null;
      if (known != null && known.version() == stat.getVersion()) return known;
      Head head = Layout2.decodeHead(data);
      Map<String, TreeMap<String, Object>> maps = new HashMap<>();
      Map<String, Map<String, Long>> ats = new HashMap<>();
      boolean agree = true;
      for (String field : Layout2.fields(logical)) {
        TreeMap<String, Object> values = new TreeMap<>();
        Map<String, Long> at = new HashMap<>();
        Layout2.Sum sum = entries(client, logical, field, values, at);
        agree &= sum.equals(head.sums().getOrDefault(field, Layout2.Sum.EMPTY));
        maps.put(field, values);
        ats.put(field, at);
      }
      if (agree) return new Stored(stat.getVersion(), head, Layout2.assemble(logical, head, maps), ats);
    }
    throw new IllegalStateException(logical + ": its entries kept changing while being read (" + ATTEMPTS_MAX
        + " attempts); try again");
  }

  /** Reads every entry of a field into values and ats; their sum. */
  private static Layout2.Sum entries(CuratorFramework client, String logical, String field,
      Map<String, Object> values, Map<String, Long> ats) throws Exception {
    List<CompletableFuture<List<String>>> lists = new ArrayList<>();
    for (int b = 0; b < Layout2.BUCKETS; b++) {
      CompletableFuture<List<String>> f = new CompletableFuture<>();
      client.getChildren().inBackground((c, e) -> f.complete(e.getResultCode() == 0 ? e.getChildren() : List.of()))
          .forPath(Layout2.bucketPath(logical, field, b));
      lists.add(f);
    }
    List<CompletableFuture<byte[]>> reads = new ArrayList<>();
    // A bounded window: tens of thousands of requests sent at once overran the session (connection loss).
    Semaphore window = new Semaphore(IN_FLIGHT_MAX);
    for (int b = 0; b < Layout2.BUCKETS; b++) {
      for (String child : lists.get(b).get(30, TimeUnit.SECONDS)) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (!window.tryAcquire(30, TimeUnit.SECONDS)) throw new TimeoutException("the store did not answer reads");
        client.getData().inBackground((c, e) -> {
          window.release();
          f.complete(e.getResultCode() == 0 ? e.getData() : null);
        }).forPath(Layout2.bucketPath(logical, field, b) + "/" + child);
        reads.add(f);
      }
    }
    Layout2.Sum sum = Layout2.Sum.EMPTY;
    for (CompletableFuture<byte[]> f : reads) {
      byte[] data = f.get(30, TimeUnit.SECONDS);
      if (data == null) continue; // deleted meanwhile: the sum tells
      Map.Entry<String, Object> e = Layout2.decodeEntry(logical, field, data);
      Layout2.Valued v = (Layout2.Valued) e.getValue();
      values.put(e.getKey(), v.value());
      ats.put(e.getKey(), v.at());
      sum = sum.plus(e.getKey(), v.at());
    }
    return sum;
  }

  /** The field parents under logical: what a migration clears before writing. */
  static List<String> fieldParents(String logical) {
    return Layout2.fields(logical).stream().map(f -> logical + "/" + f).toList();
  }
}
