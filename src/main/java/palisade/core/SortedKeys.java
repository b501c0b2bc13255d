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
}
