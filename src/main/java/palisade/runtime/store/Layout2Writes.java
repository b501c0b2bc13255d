package palisade.runtime.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.runtime.store.Layout2.Head;
import palisade.runtime.store.Layout2.Stored;

/**
 * The znode writes that store a logical record in layout 2 over what the store holds ({@link Stored}): the head
 * (a compare-and-set at the record's version) and only the entries that changed. Which changed is found by walking
 * the old and new maps side by side, comparing by identity first (the core copies a record's maps but keeps the
 * unchanged values), so a write that changes one resource of 50,000 encodes one entry and the head.
 */
public final class Layout2Writes {
  /** One znode operation of a store transaction; version -1: any. */
  public record Write(Kind kind, String path, byte[] data, int version) {
    public enum Kind { CREATE, SET, DELETE, CHECK }

    int bytes() {
      return path.length() + (data == null ? 0 : data.length);
    }
  }

  /** The writes, and what the store holds once they commit. */
  public record Plan(List<Write> writes, Stored next) {
    public long bytes() {
      long n = 0;
      for (Write w : writes) n += w.bytes();
      return n;
    }

    public int largestZnode() {
      int max = 0;
      for (Write w : writes) max = Math.max(max, w.data == null ? 0 : w.data.length);
      return max;
    }
  }

  /** A write over the layout's bounds: refused before anything is sent. */
  public static final class TooLarge extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message);
    }
  }

  private Layout2Writes() {}

  /**
   * The writes storing record at logical over base (null: the record does not exist yet: its head, field and bucket
   * parents are created, in layout 2).
   */
  public static Plan plan(String logical, Object record, Stored base) {
    return plan(logical, record, base, 2);
  }

  /**
   * {@link #plan}; a record created now (base null, or without a head) is created in layout fresh (2 or 3), and a
   * record that exists keeps the layout of its head.
   */
  public static Plan plan(String logical, Object record, Stored base, int fresh) {
    boolean created = base == null || base.head() == null;
    int layout = created ? fresh : base.head().layout();
    long seq = created ? 1 : base.head().seq() + 1;
    long version = base == null ? 0 : base.version() + 1;
    TreeMap<String, Layout2.Sum> sums = new TreeMap<>();
    TreeMap<String, SortedMap<String, Long>> census = new TreeMap<>();
    TreeMap<String, List<Layout2.Sum>> groups = new TreeMap<>();
    Map<String, Map<String, Long>> ats = new HashMap<>();
    List<Write> entries = new ArrayList<>();
    for (String field : Layout2.fields(logical, layout)) {
      Layout2.Sum sum = created ? Layout2.Sum.EMPTY : base.head().sums().getOrDefault(field, Layout2.Sum.EMPTY);
      boolean grouped = Layout2.grouped(logical, field, layout);
      List<Layout2.Sum> group = grouped ? groupSums(base, field) : null;
      Map<String, Long> at = base == null ? Map.of() : base.ats().getOrDefault(field, Map.of());
      SortedMap<String, Object> before = base == null || base.record() == null ? new TreeMap<>()
          : Layout2.map(base.record(), field);
      SortedMap<String, Object> now = Layout2.map(record, field);
      List<String> changed = changed(before, now);
      if (!changed.isEmpty()) at = new HashMap<>(at);
      for (String key : changed) {
        Object was = before.get(key);
        Object v = now.get(key);
        Long old = at.get(key);
        String from = old == null ? null : Layout2.entryPath(logical, field, key, was, layout);
        String to = v == null ? null : Layout2.entryPath(logical, field, key, v, layout);
        if (from != null && !from.equals(to)) entries.add(new Write(Write.Kind.DELETE, from, null, -1));
        if (old != null) {
          sum = sum.minus(key, old);
          if (grouped) move(group, Layout2.bucketOf(logical, field, key, was, layout), key, old, false);
        }
        if (v == null) {
          at.remove(key);
          continue;
        }
        entries.add(new Write(to.equals(from) ? Write.Kind.SET : Write.Kind.CREATE, to,
            Layout2.encodeEntry(key, seq, v), -1));
        sum = sum.plus(key, seq);
        if (grouped) move(group, Layout2.bucketOf(logical, field, key, v, layout), key, seq, true);
        at.put(key, seq);
      }
      sums.put(field, sum);
      ats.put(field, at);
      if (grouped) groups.put(field, List.copyOf(group));
      if (Layout2.counted(logical).contains(field)) census.put(field, census(base, field, before, now, changed));
    }
    Head head = new Head(layout, Layout2.BUCKETS, seq, sums, Layout2.headRecord(logical, record), census,
        groups.isEmpty() ? null : groups);
    byte[] headData = Codec.encode(head);
    List<Write> writes = new ArrayList<>();
    // The head first: a stale writer fails on it, and the store reports that failure (the first one) as a conflict.
    writes.add(base == null ? new Write(Write.Kind.CREATE, logical, headData, -1)
        : new Write(Write.Kind.SET, logical, headData, Math.toIntExact(base.version())));
    if (base == null) writes.addAll(parents(logical, layout));
    writes.addAll(entries);
    return new Plan(writes, new Stored(version, head, record, ats));
  }

  /** The group sums of field in base's head, as a list to change (empty groups for a record created now). */
  private static List<Layout2.Sum> groupSums(Stored base, String field) {
    List<Layout2.Sum> had = base == null || base.head() == null || base.head().groups() == null ? null
        : base.head().groups().get(field);
    return new ArrayList<>(had != null ? had : java.util.Collections.nCopies(Layout2.GROUPS, Layout2.Sum.EMPTY));
  }

  /** Adds (or takes) key at sequence at to (from) the sum of the group bucket belongs to. */
  private static void move(List<Layout2.Sum> group, int bucket, String key, long at, boolean add) {
    int g = bucket / Layout2.PER_GROUP;
    group.set(g, add ? group.get(g).plus(key, at) : group.get(g).minus(key, at));
  }

  /**
   * The counted map's census after the write: the base's, moved by the changed entries; counted afresh over the new
   * map when the base has none (a new record, or a head an older release wrote).
   */
  static SortedMap<String, Long> census(Stored base, String field, SortedMap<String, Object> before,
      SortedMap<String, Object> now, List<String> changed) {
    SortedMap<String, Long> known = base == null || base.head() == null || base.head().census() == null
        || base.record() == null ? null : base.head().census().get(field);
    TreeMap<String, Long> out = new TreeMap<>();
    if (known != null) {
      out.putAll(known);
      boolean whole = true;
      for (String key : changed) whole &= count(out, before.get(key), -1) & count(out, now.get(key), 1);
      if (whole) return out;
      out.clear(); // a count below zero: the base's census was not of its record; count afresh, never write it wrong
    }
    for (Object v : now.values()) count(out, v, 1);
    return out;
  }

  /** Moves the census by value's classes; false when a count would go below zero. */
  private static boolean count(TreeMap<String, Long> census, Object value, int by) {
    if (value == null) return true;
    for (String c : Layout2.classesOf(value)) {
      long n = census.getOrDefault(c, 0L) + by;
      if (n < 0) return false;
      if (n == 0) census.remove(c);
      else census.put(c, n);
    }
    return true;
  }

  /** The field and bucket znodes under a logical record's head in layout (empty data; never deleted). */
  static List<Write> parents(String logical, int layout) {
    List<Write> out = new ArrayList<>();
    for (String field : Layout2.fields(logical, layout)) {
      out.add(new Write(Write.Kind.CREATE, logical + "/" + field, new byte[0], -1));
      for (int b = 0; b < Layout2.BUCKETS; b++) {
        out.add(new Write(Write.Kind.CREATE, Layout2.bucketPath(logical, field, b), new byte[0], -1));
      }
    }
    return out;
  }

  /** Keys whose entry was added, removed or changed (identity first: the core keeps unchanged values). */
  private static List<String> changed(SortedMap<String, Object> before, SortedMap<String, Object> now) {
    List<String> out = new ArrayList<>();
    Iterator<Map.Entry<String, Object>> a = before.entrySet().iterator();
    Iterator<Map.Entry<String, Object>> b = now.entrySet().iterator();
    Map.Entry<String, Object> x = a.hasNext() ? a.next() : null;
    Map.Entry<String, Object> y = b.hasNext() ? b.next() : null;
    while (x != null || y != null) {
      int c = x == null ? 1 : y == null ? -1 : x.getKey().compareTo(y.getKey());
      if (c != 0 || (x.getValue() != y.getValue() && !Objects.equals(x.getValue(), y.getValue()))) {
        out.add(c <= 0 ? x.getKey() : y.getKey());
      }
      if (c <= 0) x = a.hasNext() ? a.next() : null;
      if (c >= 0) y = b.hasNext() ? b.next() : null;
    }
    return out;
  }

  /**
   * Refuses writes over the bounds: a znode above {@link Layout2#ZNODE_MAX} or a transaction above
   * {@link Layout2#TXN_MAX} (layout 2), a transaction above {@link Layout2#LAYOUT1_TXN_MAX} (layout 1).
   */
  public static void checkSizes(String what, List<Write> writes, boolean layout2) {
    long total = 0;
    Write largest = null;
    for (Write w : writes) {
      total += w.bytes();
      if (largest == null || w.bytes() > largest.bytes()) largest = w;
    }
    if (layout2 && largest != null && largest.data() != null && largest.data().length > Layout2.ZNODE_MAX) {
      throw new TooLarge(what + ": refused, " + largest.path() + " would hold " + largest.data().length
          + " bytes (at most " + Layout2.ZNODE_MAX + " in store layout 2); nothing was written");
    }
    long max = layout2 ? Layout2.TXN_MAX : Layout2.LAYOUT1_TXN_MAX;
    if (total > max) {
      throw new TooLarge(what + ": refused, the transaction would carry " + total + " bytes (at most " + max
          + (layout2 ? " in store layout 2" : " in store layout 1: `palisade store migrate` moves the cluster to "
          + "layout 2") + "); nothing was written");
    }
  }
}
