package palisade.cli;

import java.io.PrintStream;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.Durations;
import palisade.core.FenceGrace;
import palisade.core.FencePolicy;
import palisade.core.FenceTask;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.Timing;

/**
 * The fencing lines of `palisade status`: for each node in fencing, its grace (RHEV's formula, as the manager
 * computes it) and when its power fence is due, or the order in progress. (The fence devices and their last
 * periodic status check are in status's "Fence devices" table.)
 */
final class FenceStatusSection {
  private FenceStatusSection() {}

  /** silentMs: node -> how long its record has not changed (the lease age), or -1 when unknown. */
  static void print(ClusterConfig cfg, ManagerState ms, TreeMap<String, Long> silentMs, PrintStream out) {
    if (ms != null) {
      for (String n : cfg.nodes().keySet()) {
        NodeStatus st = ms.nodes().get(n);
        if (st == null || st.state() != NodeState.FENCING) continue;
        out.println(grace(cfg, ms, n, silentMs.getOrDefault(n, -1L)));
      }
    }
  }

  /**
   * How long each node has been silent, from its record's last change: for a record the manager fenced, that change
   * is the fence write, made when the node had been silent for L, so L is added (an estimate to within a tick).
   */
  static TreeMap<String, Long> silentMs(ClusterConfig cfg, NodeReads nodes, long now) {
    Timing t = cfg.timing() == null ? Timing.defaults() : cfg.timing();
    TreeMap<String, Long> silent = new TreeMap<>();
    for (String n : cfg.nodes().keySet()) {
      long m = nodes.modifiedAt(n);
      palisade.core.NodeRecord rec = nodes.records().get(n);
      long age = m < 0 ? -1 : Math.max(0, now - m);
      silent.put(n, age < 0 ? -1 : rec != null && rec.fenced() ? t.leaseMs() + age : age);
    }
    return silent;
  }

  static String grace(ClusterConfig cfg, ManagerState ms, String n, long silent) {
    Timing t = cfg.timing() == null ? Timing.defaults() : cfg.timing();
    FencePolicy p = FencePolicy.defaults();
    long extra = FenceGrace.extraMs(cfg, p, n, ms.spm(), ms.services().values());
    long grace = t.leaseMs() + extra;
    StringBuilder line = new StringBuilder("fencing " + n + ": grace " + Durations.format(grace) + " (L "
        + Durations.format(t.leaseMs()) + " + " + Durations.format(extra) + " fence_grace"
        + (cfg.fence().graceSpmMs() + cfg.fence().gracePerResourceMs() > 0 ? " incl. SPM and per-resource extras"
        : "") + ")");
    FenceTask order = ms.fencing().get(n);
    if (cfg.nodes().get(n).fenceLevels().isEmpty()) {
      line.append("; no fence device: waits for its watchdog or an operator");
    } else if (order != null) {
      line.append("; power fence ordered via ").append(order.proxy()).append(", attempt ").append(order.attempt());
    } else if (silent >= 0) {
      long due = grace - silent;
      line.append("; silent about ").append(Durations.format(silent / 100 * 100))
          .append(due > 0 ? ", power fence due in " + Durations.format(due) : ", power fence due now");
    }
    return line.toString();
  }
}
