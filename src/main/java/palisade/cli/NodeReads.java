package palisade.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.NodeRecord;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.NodeUsage;

/**
 * Every configured node's record (with when it was last written) and usage record, read at once in batched reads:
 * `status` shows each several ways (state, lease age, watchdog, HA mode, silence, load, fencing), and at 1,000 nodes
 * a read of each, each time, was thousands of round trips.
 *
 * @param records each node's record (absent: never written)
 * @param modifiedAtMs when each node's record was last written (its renewal, or the manager's fence write)
 * @param usage each node's /usage record (absent: none yet)
 */
record NodeReads(SortedMap<String, NodeRecord> records, SortedMap<String, Long> modifiedAtMs,
    SortedMap<String, NodeUsage> usage) {
  static NodeReads of(Admin admin, Collection<String> nodes) throws Exception {
    List<String> paths = new ArrayList<>();
    for (String n : nodes) {
      paths.add(StorePaths.node(n));
      paths.add(StorePaths.usage(n));
    }
    Map<String, Admin.Found> found = admin.readEach(paths);
    SortedMap<String, NodeRecord> records = new TreeMap<>();
    SortedMap<String, Long> modified = new TreeMap<>();
    SortedMap<String, NodeUsage> usage = new TreeMap<>();
    for (String n : nodes) {
      Admin.Found rec = found.get(StorePaths.node(n));
      if (rec != null && rec.value() instanceof NodeRecord r) {
        records.put(n, r);
        modified.put(n, rec.modifiedAtMs());
      }
      Admin.Found u = found.get(StorePaths.usage(n));
      if (u != null && u.value() instanceof NodeUsage nu) usage.put(n, nu);
    }
    return new NodeReads(records, modified, usage);
  }

  /** When the node's record was last written, or -1 (no record). */
  long modifiedAt(String node) {
    return modifiedAtMs.getOrDefault(node, -1L);
  }

  /** Seconds since each node's record was written, as {@code Api.leaseAges} gives them. */
  Map<String, Double> leaseAges(long nowMs) {
    Map<String, Double> out = new TreeMap<>();
    modifiedAtMs.forEach((n, m) -> out.put(n, Math.max(0, nowMs - m) / 1000.0));
    return out;
  }
}
