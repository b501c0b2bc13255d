package palisade.sim.scenario;

import java.util.List;
import java.util.SortedMap;
import palisade.sim.SimStorage;
import palisade.sim.SimWorld;

/** How the scenario runner words what shared storage saw (the `storage D ...` expectations). */
final class PhysicalFacts {
  private PhysicalFacts() {}

  /** `storage D last writer NODE[|NODE...]`: null when it holds, else the facts. */
  static String lastWriter(SimWorld world, String disk, List<String> nodes) {
    SimStorage.Writer w = world.storage().lastWriter(disk);
    if (w == null) return "storage accepted no write to " + disk;
    return nodes.contains(w.node()) ? null : "the last accepted write to " + disk + " came from " + w.node() + " ("
        + w.resource() + ", token " + w.token() + ")";
  }

  /** `storage D rejected stale writes from NODE`: null when it holds, else the facts. */
  static String rejected(SimWorld world, String disk, String node) {
    SortedMap<String, Long> r = world.storage().rejected(disk);
    if (r.getOrDefault(node, 0L) > 0) return null;
    return "storage rejected no write of " + node + " to " + disk
        + (r.isEmpty() ? "" : " (it rejected writes from " + String.join(", ", r.keySet()) + ")");
  }
}
