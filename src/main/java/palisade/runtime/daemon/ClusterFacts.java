package palisade.runtime.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.NodeConfig;
import palisade.core.Timing;
import palisade.runtime.watchdog.WatchdogSupervisor;

/**
 * One source of truth: the store's cluster configuration ({@code /config}) holds the timings and every node's
 * watchdog, fence levels and SPM priority; a node's YAML holds its local facts (name, addresses, data dir, device
 * secrets, watchdog driver and device, tick). Here the two meet: the initial {@code /config} a new cluster gets from
 * the YAML of the node that creates it, the check that refuses a daemon whose local facts contradict the cluster's,
 * and the timing the daemon then runs under.
 */
final class ClusterFacts {
  private ClusterFacts() {}

  /** The initial cluster configuration from this node's YAML: nodes and timing, no groups or resources yet. */
  static ClusterConfig initial(DaemonConfig local) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    TreeMap<String, palisade.core.Capacity> capacity = new TreeMap<>(); // nodes[].cpu, mem
    for (DaemonConfig.Node n : local.nodes()) {
      nodes.put(n.name(), new NodeConfig(n.name(), n.watchdog(), n.fenceLevels(), n.spmPriority(), false,
          n.shutdownPolicy()).withFenceExtras(n.softFence() != null, n.kdumpPort() > 0).withSite(n.site())
          .withAgentOnly(n.agentOnly()));
      if (n.capacity() != null) capacity.put(n.name(), n.capacity());
    }
    ClusterConfig c = new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), local.shutdown().initialPolicy(),
        local.timing(), local.repairAfterMs(), local.fence());
    return capacity.isEmpty() ? c : c.withPlacement(new palisade.core.PlacementConfig(null, null, false, capacity,
        null));
  }

  /**
   * Refuses (ConfigException naming both values) when this node's local facts contradict the cluster's: it is not
   * a member, its watchdog driver is not what the cluster counts on or cannot count the cluster's W, its tick
   * cannot honour R, or it lacks a fence device the cluster names (every node may act as fence proxy).
   */
  static void check(DaemonConfig local, ClusterConfig cluster) {
    List<String> wrong = new ArrayList<>();
    String me = local.node();
    Timing t = cluster.timing();
    NodeConfig nc = cluster.nodes().get(me);
    if (t == null) {
      wrong.add("the cluster's /config states no timing (written by an older Palisade): add it with the cluster's "
          + "R, X, W, L and drift before starting this node");
    }
    if (nc == null) {
      wrong.add("node: '" + me + "' is not a member of the cluster's /config (members: "
          + String.join(", ", cluster.nodes().keySet()) + ")");
    } else {
      String driver = local.watchdogDriver();
      if (nc.watchdog() && driver.equals("none")) {
        wrong.add("watchdog.driver is 'none' here, but the cluster's /config says " + me
            + " is watchdog-protected (watchdog: yes): a fence of this node would be confirmed by a watchdog it "
            + "does not have");
      } else if (!nc.watchdog() && !driver.equals("none")) {
        wrong.add("watchdog.driver is '" + driver + "' here, but the cluster's /config says " + me
            + " has no watchdog (watchdog: none)");
      }
    }
    if (t != null) {
      if (local.watchdogDriver().equals("linux") && t.watchdogMs() % 1000 != 0) {
        wrong.add("watchdog.driver 'linux' counts whole seconds here, but the cluster's /config has "
            + "watchdog_timeout=" + Durations.format(t.watchdogMs()));
      }
      if (local.watchdogDriver().equals("process") && t.watchdogMs() > WatchdogSupervisor.ARM_TIMEOUT_MAX_MS) {
        wrong.add("watchdog.driver 'process' arms at most " + Durations.format(WatchdogSupervisor.ARM_TIMEOUT_MAX_MS)
            + " here, but the cluster's /config has watchdog_timeout=" + Durations.format(t.watchdogMs()));
      }
      if (local.localTickMs() > t.renewMs()) {
        wrong.add("timing.tick is " + Durations.format(local.localTickMs()) + " here, but the cluster's /config "
            + "has renew_interval=" + Durations.format(t.renewMs()) + " (the tick must not exceed R)");
      }
    }
    TreeMap<String, String> missing = new TreeMap<>(); // device -> a node whose fence levels name it
    for (NodeConfig n : cluster.nodes().values()) {
      for (List<String> level : n.fenceLevels()) {
        for (String d : level) {
          if (!local.fenceDevices().containsKey(d) && !cluster.fence().devices().containsKey(d)) {
            missing.putIfAbsent(d, n.name());
          }
        }
      }
    }
    missing.forEach((d, n) -> wrong.add("fence_devices has no device '" + d + "' here, but the cluster's /config "
        + "names it in " + n + "'s fence levels and does not define it (every node may act as fence proxy: define "
        + "it with palisade fence device add, or in every node's fence_devices)"));
    for (NodeConfig n : cluster.nodes().values()) {
      // Any node may be the proxy of a soft fence or a kdump level: each needs the settings to run them.
      DaemonConfig.Node mine = local.nodes().stream().filter(x -> x.name().equals(n.name())).findFirst().orElse(null);
      if (n.softFence() && (mine == null || mine.softFence() == null)) {
        wrong.add("nodes has no soft_fence for " + n.name() + " here, but the cluster's /config soft-fences it");
      }
      if (n.kdump() && (mine == null || mine.kdumpPort() == 0)) {
        wrong.add("nodes has no kdump: yes for " + n.name() + " here, but the cluster's /config has a kdump level");
      }
    }
    if (!wrong.isEmpty()) {
      throw new ConfigException("refusing to start: this node's local facts contradict the cluster's /config (the "
          + "store holds the cluster's settings; this file only seeds a new cluster): " + String.join("; ", wrong));
    }
  }

  /** The timing this daemon runs under: the cluster's R, X, W, L and ρ, with its own tick (default R/10). */
  static Timing timing(DaemonConfig local, ClusterConfig cluster) {
    Timing t = cluster.timing();
    long tick = local.localTickMs() > 0 ? local.localTickMs() : Math.max(1, t.renewMs() / 10);
    return new Timing(t.renewMs(), t.ackMs(), t.watchdogMs(), t.leaseMs(), t.driftPpm(), tick, t.restartHoldMs());
  }

  /** What differs between this file's initial timing and the cluster's, for the log; empty when nothing does. */
  static String timingDrift(DaemonConfig local, ClusterConfig cluster) {
    Timing a = local.timing();
    Timing b = cluster.timing();
    if (a.renewMs() == b.renewMs() && a.ackMs() == b.ackMs() && a.watchdogMs() == b.watchdogMs()
        && a.leaseMs() == b.leaseMs() && a.driftPpm() == b.driftPpm() && a.restartHoldMs() == b.restartHoldMs()) {
      return "";
    }
    return "this file's timing (" + describe(a) + ") is not the cluster's; running under the cluster's ("
        + describe(b) + ")";
  }

  static String describe(Timing t) {
    return "R=" + Durations.format(t.renewMs()) + " X=" + Durations.format(t.ackMs()) + " W="
        + Durations.format(t.watchdogMs()) + " L=" + Durations.format(t.leaseMs()) + " drift="
        + t.driftPpm() / 10_000.0 + "%" + " restart_hold=" + Durations.format(t.restartHoldMs());
  }
}
