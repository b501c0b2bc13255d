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

  /** One sharded map as delivered: its entries by key and their running sum, whole and by node group. */
  private static final class Field {
    final TreeMap<String, Object> values = new TreeMap<>();
    final HashMap<String, Long> ats = new HashMap<>();
    /** entry path -> key, to tell which key a deleted znode held. */
    final HashMap<String, String> keys = new HashMap<>();
    /** key -> the bucket its znode is in. */
    final HashMap<String, Integer> buckets = new HashMap<>();
    final Sum[] groups = new Sum[Layout2.GROUPS];
    Sum sum = Sum.EMPTY;

    Field() {
      java.util.Arrays.fill(groups, Sum.EMPTY);
    }

    void remove(String key) {
      Long old = ats.remove(key);
      Integer b = buckets.remove(key);
      if (old == null) return;
      sum = sum.minus(key, old);
      if (b != null) groups[b / Layout2.PER_GROUP] = groups[b / Layout2.PER_GROUP].minus(key, old);
    }
  }

  /**
   * What a view of one node's part holds of a record ({@code NodePart}): of the manager's state the statuses of
   * one node group; of the configuration the resources listed (null: every entry held).
   */
  record Part(int group, java.util.Set<String> resources) {}

  private final Map<String, HeadAt> heads = new HashMap<>();
  /** logical path -> field -> what the cache delivered. */
  private final Map<String, Map<String, Field>> fields = new HashMap<>();
  /** Read by submit, which a caller may run off the loop: concurrent. */
  private final Map<String, Stored> stored = new java.util.concurrent.ConcurrentHashMap<>();
  /** Nanoseconds the last assembly of each record took (BENCHMARKS "Store layout"). */
  private final Map<String, Long> assemblyNanos = new java.util.concurrent.ConcurrentHashMap<>();

  /** Deliveries per logical record: what a part's assembly compares with its last (nothing new: nothing to do). */
  private final Map<String, Long> deliveries = new HashMap<>();

  long deliveries(String logical) {
    return deliveries.getOrDefault(logical, 0L);
  }

  private void delivered(String logical) {
    deliveries.merge(logical, 1L, Long::sum);
  }

  void head(String logical, Head head, long version) {
    delivered(logical);
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
    delivered(logical);
    Field f = field(logical, field);
    f.remove(key); // a key whose znode moved (another group) is delivered at its new path, maybe before the deletion
    int bucket = bucketOf(path);
    f.ats.put(key, v.at());
    f.buckets.put(key, bucket);
    f.sum = f.sum.plus(key, v.at());
    f.groups[bucket / Layout2.PER_GROUP] = f.groups[bucket / Layout2.PER_GROUP].plus(key, v.at());
    f.values.put(key, v.value());
    f.keys.put(path, key);
  }

  void entryGone(String logical, String field, String path) {
    delivered(logical);
    Field f = field(logical, field);
    String key = f.keys.remove(path);
    if (key == null) return;
    Integer b = f.buckets.get(key);
    if (b == null || b != bucketOf(path)) return; // the key lives on at its new path
    f.remove(key);
    f.values.remove(key);
  }

  private static int bucketOf(String entryPath) {
    int end = entryPath.lastIndexOf('/');
    return Integer.parseInt(entryPath.substring(entryPath.lastIndexOf('/', end - 1) + 1, end));
  }

  /** Forgets what was delivered of logical (a view that narrows to its part loads that part afresh). */
  void forget(String logical) {
    delivered(logical);
    fields.remove(logical);
    stored.remove(logical);
  }

  /** The layout of logical's newest head, or 0 when none was delivered. */
  int layout(String logical) {
    HeadAt h = heads.get(logical);
    return h == null ? 0 : h.head.layout();
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
   * The part of the record at the newest head that part names, when the entries held of it agree with the head: the
   * grouped maps by the group's count and digest, the others whole, and /config's resources as held (a view asks for
   * each of them by itself, so no sum covers them); the manager's state's statuses are those of the group with the
   * target copies filed there. /config's placement rules and resource demands are left out, as NodePart leaves them.
   * Null when a write is half delivered. Never a base for a write.
   */
  Stored assemblePart(String logical, Part part) throws java.io.IOException {
    HeadAt h = heads.get(logical);
    if (h == null) return null;
    int layout = h.head.layout();
    Map<String, Field> have = fields.getOrDefault(logical, Map.of());
    Map<String, TreeMap<String, Object>> maps = new HashMap<>();
    for (String field : Layout2.fields(logical, layout)) {
      Field f = have.getOrDefault(field, new Field());
      TreeMap<String, Object> values = new TreeMap<>();
      if (logical.equals(palisade.core.StorePaths.CONFIG) && field.equals("resources") && part.resources() != null) {
        for (String id : part.resources()) {
          Object v = f.values.get(id);
          if (v != null) values.put(id, v);
        }
      } else if (Layout2.grouped(logical, field, layout)) {
        List<Sum> want = h.head.groups() == null ? null : h.head.groups().get(field);
        if (!f.groups[part.group()].equals(want == null ? Sum.EMPTY : want.get(part.group()))) return null;
        f.buckets.forEach((key, b) -> {
          if (b / Layout2.PER_GROUP == part.group()) values.put(key, f.values.get(key));
        });
      } else {
        if (!f.sum.equals(h.head.sums().getOrDefault(field, Sum.EMPTY))) return null;
        values.putAll(f.values);
      }
      maps.put(field, values);
    }
    if (maps.containsKey(Layout2.TARGETS)) {
      maps.get(Layout2.TARGETS).forEach((k, v) -> maps.get("services").putIfAbsent(k, v));
    }
    Head head = h.head;
    if (logical.equals(palisade.core.StorePaths.CONFIG)) {
      com.fasterxml.jackson.databind.node.ObjectNode rec = head.record().deepCopy();
      if (rec.get("placement") instanceof com.fasterxml.jackson.databind.node.ObjectNode p) {
        p.remove(List.of("rules", "resourceDemand")); // as PlacementConfig.withoutResourceRules
      }
      head = new Head(head.layout(), head.buckets(), head.seq(), head.sums(), rec, head.census(), head.groups());
    }
    return new Stored(h.version, h.head, Layout2.assemble(logical, head, maps), null);
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
