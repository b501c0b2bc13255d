package palisade.runtime.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.EventLog;
import palisade.core.NodeConfig;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Versioned;

/**
 * The daemon's side of a live /config change (`palisade node add|remove|set`, `fence device add|set|remove`,
 * `config set`). The agent and the manager read /config every round by themselves; this logs what changed, once,
 * and keeps the fence devices this host drives in step with the cluster's. Runs on the loop.
 */
final class ConfigWatch {
  private final DaemonConfig local;
  private final AsyncFences fences;
  private final EventLog log;
  private final String source;
  private ClusterConfig seen;
  private long seenVersion = -1;

  /**
   * At start, before the core runs: builds /config's devices here and now. A device some node's fence levels name
   * that cannot be built on this host (no secret file, an agent missing) refuses the start (ConfigException), as a
   * device of the YAML does; any other is an ALERT.
   */
  ConfigWatch(DaemonConfig local, AsyncFences fences, EventLog log, ClusterConfig cluster) {
    this.local = local;
    this.fences = fences;
    this.log = log;
    this.source = local.node() + "/daemon";
    this.seen = cluster;
    for (String d : local.fenceDevices().keySet()) {
      if (cluster.fence().devices().containsKey(d)) {
        log.event(source, "fence device " + d + ": this host's fence_devices definition is used, not /config's");
      }
    }
    Map<String, String> failed = fences.syncNow(ClusterDevices.wanted(local, cluster));
    TreeSet<String> named = named(cluster);
    List<String> fatal = new ArrayList<>();
    failed.forEach((d, why) -> {
      if (named.contains(d)) fatal.add(why);
      else log.event(source, "ALERT: fence device " + d + " of /config cannot be used from this host: " + why);
    });
    if (!fatal.isEmpty()) {
      throw new ConfigException("refusing to start: a fence device the cluster's fence levels name cannot be built "
          + "here (its secret belongs in " + ClusterDevices.secretsDir(local) + "/NAME, mode 0600): "
          + String.join("; ", fatal));
    }
  }

  /** Each tick: when /config changed since last seen, log the change and bring the fence devices in step. */
  void tick(StoreView view) {
    Versioned<ClusterConfig> v = view.get(StorePaths.CONFIG, ClusterConfig.class);
    if (v == null || v.version() == seenVersion) return; // one comparison of the whole record per write, not per tick
    seenVersion = v.version();
    if (v.value().equals(seen)) return;
    ClusterConfig before = seen;
    seen = v.value();
    for (String line : changes(before, seen, local.node())) log.event(source, "cluster configuration: " + line);
    if (!before.fence().devices().equals(seen.fence().devices())) {
      Map<String, DaemonConfig.FenceDeviceConf> wanted;
      try {
        wanted = ClusterDevices.wanted(local, seen);
      } catch (ConfigException e) {
        log.event(source, "ALERT: " + e.getMessage() + " (this host keeps its fence devices as they were)");
        return;
      }
      fences.sync(wanted, s -> {
        s.added().forEach(d -> log.event(source, "fence device " + d + " added: this host can drive it"));
        s.changed().forEach(d -> log.event(source, "fence device " + d + " changed: this host drives the new one"));
        s.removed().forEach(d -> log.event(source, "fence device " + d + " removed"));
        s.failed().forEach((d, why) -> log.event(source, "ALERT: fence device " + d + " of /config cannot be used "
            + "from this host: " + why));
      });
    }
  }

  /** Every device some node's fence levels name. */
  private static TreeSet<String> named(ClusterConfig c) {
    TreeSet<String> out = new TreeSet<>();
    for (NodeConfig n : c.nodes().values()) n.fenceLevels().forEach(out::addAll);
    return out;
  }

  /** What changed between two configurations, one line each: nodes, fence devices and cluster-wide settings. */
  static List<String> changes(ClusterConfig a, ClusterConfig b, String me) {
    List<String> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(a.nodes().keySet());
    names.addAll(b.nodes().keySet());
    for (String n : names) {
      NodeConfig x = a.nodes().get(n);
      NodeConfig y = b.nodes().get(n);
      if (x == null) out.add("node " + n + " added (" + describe(y) + ")");
      else if (y == null) out.add("node " + n + " removed" + (n.equals(me) ? " (this node: ALERT, stop it)" : ""));
      else if (!x.equals(y)) out.add("node " + n + " changed (" + describe(x) + " -> " + describe(y) + ")");
    }
    TreeSet<String> devs = new TreeSet<>(a.fence().devices().keySet());
    devs.addAll(b.fence().devices().keySet());
    for (String d : devs) {
      var x = a.fence().devices().get(d);
      var y = b.fence().devices().get(d);
      if (!Objects.equals(x, y)) {
        out.add("fence device " + d + (x == null ? " defined" : y == null ? " undefined" : " redefined") + " in "
            + "/config" + (y == null ? "" : " (" + y.type() + ", options " + y.options().keySet() + ")"));
      }
    }
    String sa = settings(a);
    String sb = settings(b);
    if (!sa.equals(sb)) out.add("cluster settings changed: " + sb);
    return out;
  }

  /** The cluster-wide settings `palisade config set` changes, as a line. */
  private static String settings(ClusterConfig c) {
    var f = c.fence();
    var p = c.placement();
    var r = p.autoRebalance();
    return "shutdown_policy=" + c.shutdownPolicy().name().toLowerCase(java.util.Locale.ROOT) + " repair_after="
        + off(c.repairAfterMs()) + " fence_grace=" + ms(f.graceMs()) + " fence_grace_spm=" + ms(f.graceSpmMs())
        + " fence_grace_per_resource=" + ms(f.gracePerResourceMs()) + " fence_device_check=" + off(f.deviceCheckMs())
        + " crs=" + p.crs().label() + " crs_rebalance_on_start=" + (p.rebalanceOnStart() ? "yes" : "no")
        + " crs_auto_rebalance=" + (r.on() ? "yes" : "no") + " crs_auto_rebalance_method=" + r.method().label()
        + " crs_auto_rebalance_threshold=" + r.threshold() + " crs_auto_rebalance_hold=" + ms(r.holdMs())
        + " crs_auto_rebalance_margin=" + r.margin();
  }

  /** As `palisade config show` prints a duration: 0, 10m, 2h, 1.5s. */
  private static String ms(long ms) {
    if (ms == 0) return "0";
    if (ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    return palisade.core.Durations.format(ms);
  }

  private static String off(long ms) {
    return ms == 0 ? "off" : ms(ms);
  }

  private static String describe(NodeConfig n) {
    return "watchdog " + (n.watchdog() ? "yes" : "no") + ", fence levels " + n.fenceLevels() + ", spm_priority "
        + n.spmPriority() + (n.shutdownPolicy() == null ? "" : ", shutdown_policy " + n.shutdownPolicy())
        + (n.site() == null ? "" : ", site " + n.site()) + (n.agentOnly() ? ", agent_only" : "");
  }
}
