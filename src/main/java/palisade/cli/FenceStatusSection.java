package palisade.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.Durations;
import palisade.core.FenceEntry;
import palisade.core.FenceGrace;
import palisade.core.FenceHistory;
import palisade.core.FencePolicy;
import palisade.core.FenceTask;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.Timing;

/**
 * The fencing lines of `palisade status`: for each node in fencing, its grace (RHEV's formula, as the manager
 * computes it) and when its power fence is due, or the order in progress; then the fence devices with their last
 * periodic status check (no secrets: device names and results only).
 */
final class FenceStatusSection {
  private FenceStatusSection() {}

  /** silentMs: node -> how long its record has not changed (the lease age), or -1 when unknown. */
  static void print(ClusterConfig cfg, ManagerState ms, FenceHistory history, TreeMap<String, Long> silentMs,
      PrintStream out) {
    if (ms != null) {
      for (String n : cfg.nodes().keySet()) {
        NodeStatus st = ms.nodes().get(n);
        if (st == null || st.state() != NodeState.FENCING) continue;
        out.println(grace(cfg, ms, n, silentMs.getOrDefault(n, -1L)));
      }
    }
    TreeMap<String, String> devices = new TreeMap<>();
    for (var n : cfg.nodes().values()) {
      for (List<String> level : n.fenceLevels()) {
        for (String d : level) devices.putIfAbsent(d, n.name());
      }
    }
    if (devices.isEmpty()) return;
    out.println("fence devices (checked every " + (cfg.fence().deviceCheckMs() == 0 ? "- (fence_device_check off)"
        : Durations.format(cfg.fence().deviceCheckMs())) + "):");
    out.printf("  %-16s %-24s %-7s %s%n", "DEVICE", "LAST-CHECK", "HEALTH", "DETAIL");
    for (String d : devices.keySet()) {
      FenceEntry e = history == null ? null : history.lastCheck(d);
      out.printf("  %-16s %-24s %-7s %s%n", d, e == null ? "never" : FenceCommand.time(e.startedMs()),
          e == null ? "-" : e.checkOk() ? "ok" : "failed", e == null ? "-" : e.result() + " (via " + e.executor()
          + ")");
    }
  }

  /**
   * How long each node has been silent, from its record's last change: for a record the manager fenced, that change
   * is the fence write, made when the node had been silent for L, so L is added (an estimate to within a tick).
   */
  static TreeMap<String, Long> silentMs(palisade.runtime.store.Admin admin, ClusterConfig cfg, long now)
      throws Exception {
    Timing t = cfg.timing() == null ? Timing.defaults() : cfg.timing();
    TreeMap<String, Long> silent = new TreeMap<>();
    for (String n : cfg.nodes().keySet()) {
      long m = admin.modifiedAtMs(palisade.core.StorePaths.node(n));
      palisade.core.NodeRecord rec = admin.value(palisade.core.StorePaths.node(n), palisade.core.NodeRecord.class);
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
