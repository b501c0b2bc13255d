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
   * parents are created).
   */
  public static Plan plan(String logical, Object record, Stored base) {
    long seq = base == null || base.head() == null ? 1 : base.head().seq() + 1;
    long version = base == null ? 0 : base.version() + 1;
    TreeMap<String, Layout2.Sum> sums = new TreeMap<>();
    TreeMap<String, SortedMap<String, Long>> census = new TreeMap<>();
    Map<String, Map<String, Long>> ats = new HashMap<>();
    List<Write> entries = new ArrayList<>();
    for (String field : Layout2.fields(logical)) {
      Layout2.Sum sum = base == null || base.head() == null ? Layout2.Sum.EMPTY
          : base.head().sums().getOrDefault(field, Layout2.Sum.EMPTY);
      Map<String, Long> at = base == null ? Map.of() : base.ats().getOrDefault(field, Map.of());
      SortedMap<String, Object> before = base == null || base.record() == null ? new TreeMap<>()
          : Layout2.map(base.record(), field);
      SortedMap<String, Object> now = Layout2.map(record, field);
      List<String> changed = changed(before, now);
      if (!changed.isEmpty()) at = new HashMap<>(at);
      for (String key : changed) {
        String path = Layout2.entryPath(logical, field, key);
        Object v = now.get(key);
        Long old = at.get(key);
        if (v == null) {
          entries.add(new Write(Write.Kind.DELETE, path, null, -1));
          sum = sum.minus(key, old);
          at.remove(key);
          continue;
        }
        entries.add(new Write(old == null ? Write.Kind.CREATE : Write.Kind.SET, path,
            Layout2.encodeEntry(key, seq, v), -1));
        sum = (old == null ? sum : sum.minus(key, old)).plus(key, seq);
        at.put(key, seq);
      }
      sums.put(field, sum);
      ats.put(field, at);
      if (Layout2.counted(logical).contains(field)) census.put(field, census(base, field, before, now, changed));
    }
    Head head = new Head(2, Layout2.BUCKETS, seq, sums, Layout2.headRecord(logical, record), census);
    byte[] headData = Codec.encode(head);
    List<Write> writes = new ArrayList<>();
    // The head first: a stale writer fails on it, and the store reports that failure (the first one) as a conflict.
    writes.add(base == null ? new Write(Write.Kind.CREATE, logical, headData, -1)
        : new Write(Write.Kind.SET, logical, headData, Math.toIntExact(base.version())));
    if (base == null) writes.addAll(parents(logical));
    writes.addAll(entries);
    return new Plan(writes, new Stored(version, head, record, ats));
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

  /** The field and bucket znodes under a logical record's head (empty data; never deleted). */
  static List<Write> parents(String logical) {
    List<Write> out = new ArrayList<>();
    for (String field : Layout2.fields(logical)) {
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
