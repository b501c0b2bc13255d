package palisade.sim.scenario;

import java.util.SortedMap;
import java.util.TreeSet;
import palisade.core.DiskLease;
import palisade.sim.SimNode;
import palisade.sim.SimWorld;

/** How the scenario runner words the facts an expectation found (what runs where, who acts as SPM, disk leases). */
final class SimFacts {
  private SimFacts() {}

  static String runs(SortedMap<String, Long> on) {
    return on.isEmpty() ? "it is not running" : "it runs on " + String.join(", ", on.keySet());
  }

  /** Physical truth: the machines acting as SPM now. */
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

  /** The manager's lease of a disk as the last committed state has it. */
  static String disk(String disk, DiskLease l) {
    return "disk " + disk + " is " + (l == null ? "free" : "held by " + DiskLease.describe(l));
  }
}
