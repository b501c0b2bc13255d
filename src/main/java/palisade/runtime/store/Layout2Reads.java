package palisade.runtime.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.Stat;
import palisade.runtime.store.Layout2.Head;
import palisade.runtime.store.Layout2.Stored;

/**
 * A synchronous read of a logical record stored in layout 2 (the operator's handle, backups, migration): the head,
 * then every entry, in batches of ZooKeeper's read-only multi ({@link MultiReads}); read again when the entries do not give the head's count and digest (a write landed
 * between the reads), so the record returned is one the store held.
 */
final class Layout2Reads {
  static final int ATTEMPTS_MAX = 20;
  /**
   * Bucket children lists a multi asks for: ~200 names each at 50,000 resources, but in layout 3 a small cluster's
   * statuses fill only its nodes' groups (3 nodes: ~1,000 names a bucket), and an answer must stay under 1 MB.
   */
  static final int BUCKETS_PER_BATCH = 16;
  /** Entries a multi asks for at most (~300 bytes each typically; MultiReads shrinks it for larger ones). */
  static final int ENTRIES_PER_BATCH = 1_000;

  private Layout2Reads() {}

  /**
   * The record at logical with its entries, or null when it is absent or stored in layout 1. When the head is at
   * the version of known (what this handle read or wrote last), that is the record: its entries are not read again.
   */
  static Stored read(CuratorFramework client, String logical, Stored known) throws Exception {
    return read(client, logical, known, new MultiReads(client));
  }

  /** {@link #read}, the entries read through reads. */
  static Stored read(CuratorFramework client, String logical, Stored known, MultiReads reads) throws Exception {
    return read(client, logical, known, reads, null);
  }

  /**
   * {@link #read} of the entries of fields only (a subset of the record's sharded maps): the others come back
   * empty, so the record is a partial one, to show and never to write over (unless known, the whole record, is
   * still the head's version). Null: every sharded map of the head's layout.
   */
  static Stored read(CuratorFramework client, String logical, Stored known, MultiReads reads, List<String> only)
      throws Exception {
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
      List<String> fields = only != null ? only : Layout2.fields(logical, head.layout());
      Map<String, TreeMap<String, Object>> maps = new HashMap<>();
      Map<String, Map<String, Long>> ats = new HashMap<>();
      Map<String, Layout2.Sum> sums = entries(reads, logical, fields, maps, ats);
      boolean agree = true;
      for (String field : fields) {
        agree &= sums.get(field).equals(head.sums().getOrDefault(field, Layout2.Sum.EMPTY));
      }
      if (agree) return new Stored(stat.getVersion(), head, Layout2.assemble(logical, head, maps), ats);
    }
    throw new IllegalStateException(logical + ": its entries kept changing while being read (" + ATTEMPTS_MAX
        + " attempts); try again");
  }

  /**
   * Reads every entry of the fields of logical into values and ats (by field): the buckets' children lists, then
   * the entries, each as read-only multis in bounded batches ({@link MultiReads}); the sum of each field read.
   */
  private static Map<String, Layout2.Sum> entries(MultiReads reads, String logical, List<String> fields,
      Map<String, TreeMap<String, Object>> values, Map<String, Map<String, Long>> ats) throws Exception {
    List<String> buckets = new ArrayList<>();
    for (String field : fields) {
      for (int b = 0; b < Layout2.BUCKETS; b++) buckets.add(Layout2.bucketPath(logical, field, b));
    }
    List<String> paths = new ArrayList<>();
    List<String> pathFields = new ArrayList<>();
    List<List<String>> byBucket = new ArrayList<>(java.util.Collections.nCopies(buckets.size(), List.<String>of()));
    reads.read(buckets, true, BUCKETS_PER_BATCH, (from, results) -> {
      for (int i = 0; i < results.size(); i++) {
        // a bucket not made yet (NONODE) has no entries: the sums tell whether that is the head's view too
        if (results.get(i) instanceof OpResult.GetChildrenResult c) {
          byBucket.set(from + i, c.getChildren());
        }
      }
    });
    for (int i = 0; i < buckets.size(); i++) {
      for (String child : byBucket.get(i)) {
        paths.add(buckets.get(i) + "/" + child);
        pathFields.add(fields.get(i / Layout2.BUCKETS));
      }
    }
    Map<String, Layout2.Sum> sums = new HashMap<>();
    for (String field : fields) {
      values.put(field, new TreeMap<>());
      ats.put(field, new HashMap<>());
      sums.put(field, Layout2.Sum.EMPTY);
    }
    reads.read(paths, false, ENTRIES_PER_BATCH, (from, results) -> {
      for (int i = 0; i < results.size(); i++) {
        OpResult r = results.get(i);
        String field = pathFields.get(from + i);
        if (r instanceof OpResult.ErrorResult e) {
          if (e.getErr() == KeeperException.Code.NONODE.intValue()) continue; // deleted meanwhile: the sum tells
          throw KeeperException.create(KeeperException.Code.get(e.getErr()), paths.get(from + i));
        }
        Map.Entry<String, Object> e = Layout2.decodeEntry(logical, field, ((OpResult.GetDataResult) r).getData());
        Layout2.Valued v = (Layout2.Valued) e.getValue();
        values.get(field).put(e.getKey(), v.value());
        ats.get(field).put(e.getKey(), v.at());
        sums.put(field, sums.get(field).plus(e.getKey(), v.at()));
      }
    });
    return sums;
  }

  /** The field parents under logical: what a migration clears before writing. */
  static List<String> fieldParents(String logical) {
    return Layout2.fields(logical, Layout2.NEWEST).stream().map(f -> logical + "/" + f).toList();
  }
}
