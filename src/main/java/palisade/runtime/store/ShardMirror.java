package palisade.runtime.store;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.runtime.store.Layout2.Head;
import palisade.runtime.store.Layout2.Stored;
import palisade.runtime.store.Layout2.Sum;
import palisade.runtime.store.Layout2.Valued;

/**
 * The layout-2 part of a store client's mirror: the heads and entries its cache delivered, one znode at a time, with
 * each map's running count and digest, and each logical record assembled once they agree with its head. Also what
 * each logical record's next write compares against ({@link Stored}). Used on the owner's event loop only.
 */
final class ShardMirror {
  private record HeadAt(Head head, long version) {}

  /** One sharded map as delivered: its entries by key and their running sum. */
  private static final class Field {
    final TreeMap<String, Object> values = new TreeMap<>();
    final HashMap<String, Long> ats = new HashMap<>();
    /** entry path -> key, to tell which key a deleted znode held. */
    final HashMap<String, String> keys = new HashMap<>();
    Sum sum = Sum.EMPTY;
  }

  private final Map<String, HeadAt> heads = new HashMap<>();
  /** logical path -> field -> what the cache delivered. */
  private final Map<String, Map<String, Field>> fields = new HashMap<>();
  /** Read by submit, which a caller may run off the loop: concurrent. */
  private final Map<String, Stored> stored = new java.util.concurrent.ConcurrentHashMap<>();
  /** Nanoseconds the last assembly of each record took (BENCHMARKS "Store layout"). */
  private final Map<String, Long> assemblyNanos = new java.util.concurrent.ConcurrentHashMap<>();

  void head(String logical, Head head, long version) {
    heads.merge(logical, new HeadAt(head, version), (old, neu) -> neu.version >= old.version ? neu : old);
  }

  /** The logical record's znode holds a layout-1 record now (before a migration): no layout-2 state for it. */
  void layout1(String logical) {
    heads.remove(logical);
    stored.remove(logical);
  }

  private Field field(String logical, String field) {
    return fields.computeIfAbsent(logical, l -> new HashMap<>()).computeIfAbsent(field, f -> new Field());
  }

  void entry(String logical, String field, String path, String key, Valued v) {
    Field f = field(logical, field);
    Long old = f.ats.put(key, v.at());
    if (old != null) f.sum = f.sum.minus(key, old);
    f.sum = f.sum.plus(key, v.at());
    f.values.put(key, v.value());
    f.keys.put(path, key);
  }

  void entryGone(String logical, String field, String path) {
    Field f = field(logical, field);
    String key = f.keys.remove(path);
    if (key == null) return;
    Long old = f.ats.remove(key);
    if (old != null) f.sum = f.sum.minus(key, old);
    f.values.remove(key);
  }

  /** What the next write of logical compares against, or null (layout 1, or not assembled yet). */
  Stored stored(String logical) {
    return stored.get(logical);
  }

  /** After this client's own write committed. */
  void committed(String logical, Stored next) {
    stored.merge(logical, next, (old, neu) -> neu.version() >= old.version() ? neu : old);
  }

  Long assemblyNanos(String logical) {
    return assemblyNanos.get(logical);
  }

  /**
   * The record at the newest head, when the entries held agree with it and it is newer than haveVersion; else null
   * (a write is half delivered: the mirror keeps what it had).
   */
  Stored assemble(String logical, long haveVersion) throws java.io.IOException {
    HeadAt h = heads.get(logical);
    if (h == null || h.version <= haveVersion) return null;
    Map<String, Field> have = fields.getOrDefault(logical, Map.of());
    List<String> sharded = Layout2.fields(logical, h.head.layout());
    for (String field : sharded) {
      Field f = have.get(field);
      Sum want = h.head.sums().getOrDefault(field, Sum.EMPTY);
      if (!(f == null ? Sum.EMPTY : f.sum).equals(want)) return null;
    }
    long t0 = System.nanoTime();
    Map<String, TreeMap<String, Object>> maps = new HashMap<>();
    Map<String, Map<String, Long>> ats = new HashMap<>();
    for (String field : sharded) {
      Field f = have.get(field);
      maps.put(field, f == null ? new TreeMap<>() : new TreeMap<>(f.values));
      ats.put(field, f == null ? Map.of() : new HashMap<>(f.ats));
    }
    Stored s = new Stored(h.version, h.head, Layout2.assemble(logical, h.head, maps), ats);
    assemblyNanos.put(logical, System.nanoTime() - t0);
    committed(logical, s);
    return s;
  }
}
