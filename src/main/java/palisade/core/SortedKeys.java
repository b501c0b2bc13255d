package palisade.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;

/** Helpers over key collections that iterate in sorted order. */
final class SortedKeys {
  private SortedKeys() {}

  /** Ids in exactly one of two key sets (both iterate in sorted order), found in one merged pass. */
  static List<String> differences(Collection<String> a, Collection<String> b) {
    List<String> out = new ArrayList<>();
    Iterator<String> ia = a.iterator();
    Iterator<String> ib = b.iterator();
    String x = ia.hasNext() ? ia.next() : null;
    String y = ib.hasNext() ? ib.next() : null;
    while (x != null || y != null) {
      int c = x == null ? 1 : y == null ? -1 : x.compareTo(y);
      if (c != 0) out.add(c < 0 ? x : y);
      if (c <= 0) x = ia.hasNext() ? ia.next() : null;
      if (c >= 0) y = ib.hasNext() ? ib.next() : null;
    }
    return out;
  }

  /**
   * The keys of a that b lacks, in a's order: one merged pass without a lookup per key when both iterate in
   * increasing order (as the manager's name-keyed maps do), else a lookup in b per key of a.
   */
  static List<String> missing(Collection<String> a, Collection<String> b) {
    if (a.isEmpty()) return new ArrayList<>(); // the usual case for orders and maintenance: b is not walked
    if (!increasing(a) || !increasing(b)) return lookedUp(a, b);
    List<String> out = new ArrayList<>();
    Iterator<String> ib = b.iterator();
    String y = ib.hasNext() ? ib.next() : null;
    for (String x : a) {
      while (y != null && y.compareTo(x) < 0) y = ib.hasNext() ? ib.next() : null;
      if (!x.equals(y)) out.add(x);
    }
    return out;
  }

  private static boolean increasing(Collection<String> c) {
    String last = null;
    for (String x : c) {
      if (last != null && last.compareTo(x) >= 0) return false;
      last = x;
    }
    return true;
  }

  private static List<String> lookedUp(Collection<String> a, Collection<String> b) {
    List<String> out = new ArrayList<>();
    for (String x : a) {
      if (!b.contains(x)) out.add(x);
    }
    return out;
  }
}
