package palisade.sim.scenario;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;
import palisade.sim.SimNode;
import palisade.sim.SimStorage;
import palisade.sim.SimWorld;

/** What expectations read of a world's physical truth: where resources run, who acts as SPM, what storage saw. */
final class PhysicalFacts {
  private PhysicalFacts() {}

  static String runs(SortedMap<String, Long> on) {
    return on.isEmpty() ? "it is not running" : "it runs on " + String.join(", ", on.keySet());
  }

  /** The machines acting as SPM now (a frozen one acts as nothing). */
  static TreeSet<String> actingSpm(SimWorld world) {
    TreeSet<String> acting = new TreeSet<>();
    for (SimNode n : world.nodes().values()) {
      if (n.spmToken() != 0) acting.add(n.node());
    }
    return acting;
  }

  static String spm(TreeSet<String> acting) {
    return acting.isEmpty() ? "no node acts as SPM" : String.join(", ", acting) + " act(s) as SPM";
  }

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
