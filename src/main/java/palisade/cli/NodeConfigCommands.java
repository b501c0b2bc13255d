package palisade.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.FenceDeviceDef;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Admin;
import palisade.runtime.store.ShutdownRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `palisade node add|remove|set`: the cluster's members in /config, changed at runtime. The manager and every daemon
 * take the new /config from their next round; a new member's host then starts its daemon (or `cluster join`).
 */
final class NodeConfigCommands {
  private NodeConfigCommands() {}

  /** The node settings `add` and `set` share; null = not given. */
  static final class Settings {
    @Option(names = "--watchdog", paramLabel = "yes|no", description = "whether a watchdog protects the node "
        + "(no needs --fence-level); changed only while the node is stopped")
    String watchdog;

    @Option(names = "--fence-level", paramLabel = "DEV[,DEV]", description = "a fence level (all its devices must "
        + "confirm off), in order; repeat for more levels; 'none' for no levels")
    List<String> fenceLevels;

    @Option(names = "--spm-priority", paramLabel = "N", description = "-1 (never SPM, the default) or 0..10")
    Integer spmPriority;

    @Option(names = "--shutdown-policy", paramLabel = "POLICY",
        description = "conditional|freeze|failover|migrate, or default (follow the cluster's shutdown_policy)")
    String shutdownPolicy;

    @Option(names = "--site", paramLabel = "S", description = "the node's site (a fence proxy of the same site is "
        + "preferred); 'none' for no site")
    String site;

    boolean any() {
      return watchdog != null || fenceLevels != null || spmPriority != null || shutdownPolicy != null || site != null;
    }

    /** The node with every given setting applied to base; a bad value is refused naming its argument. */
    NodeConfig applyTo(NodeConfig base, ClusterConfig cfg) {
      boolean wd = watchdog == null ? base.watchdog() : yesNo(watchdog, "--watchdog");
      List<List<String>> levels = fenceLevels == null ? base.fenceLevels() : levels(fenceLevels, cfg);
      int spm = spmPriority == null ? base.spmPriority() : spmPriority;
      ShutdownPolicy p = shutdownPolicy == null ? base.shutdownPolicy()
          : NodeShutdownCommands.parsePolicy(shutdownPolicy, "--shutdown-policy", true);
      String s = site == null ? base.site() : site.equals("none") ? null : site;
      try {
        return new NodeConfig(base.name(), wd, levels, spm, base.manualOnly(), p, base.softFence(), base.kdump(), s);
      } catch (ConfigException e) {
        throw new CliError(e.getMessage() + "; nothing was written");
      }
    }
  }

  /** yes|no of an argument, or a refusal naming it. */
  static boolean yesNo(String v, String arg) {
    try {
      return ConfigKeys.yesNo(v, arg);
    } catch (ConfigException e) {
      throw new CliError(e.getMessage() + "; nothing was written");
    }
  }

  /**
   * The levels as given; every device must be one the cluster knows: defined in /config (`fence device add`) or
   * named already by a node's fence levels (then every host's YAML declares it).
   */
  static List<List<String>> levels(List<String> given, ClusterConfig cfg) {
    if (given.size() == 1 && given.get(0).equals("none")) return List.of();
    TreeSet<String> known = knownDevices(cfg);
    List<List<String>> out = new ArrayList<>();
    for (String level : given) {
      List<String> devs = new ArrayList<>();
      for (String d : level.split(",", -1)) {
        if (d.isEmpty()) throw new CliError("--fence-level: '" + level + "' has an empty device name");
        if (!known.contains(d)) {
          throw new CliError("--fence-level: no fence device '" + d + "' in the cluster (known: "
              + (known.isEmpty() ? "none" : String.join(", ", known)) + "; add it with palisade fence device add); "
              + "nothing was written");
        }
        devs.add(d);
      }
      out.add(devs);
    }
    return out;
  }

  /** Devices /config defines or some node's fence levels name. */
  static TreeSet<String> knownDevices(ClusterConfig cfg) {
    TreeSet<String> known = new TreeSet<>(cfg.fence().devices().keySet());
    for (NodeConfig n : cfg.nodes().values()) n.fenceLevels().forEach(known::addAll);
    return known;
  }

  /** Null when node is stopped (never joined, shut down cleanly, or confirmed fenced), else what it is. */
  static String running(Admin admin, String node) throws Exception {
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    NodeStatus st = ms == null ? null : ms.nodes().get(node);
    NodeRecord rec = admin.value(StorePaths.node(node), NodeRecord.class);
    if (rec == null && st == null) return null;
    boolean stopped = st != null && (st.state() == NodeState.OFFLINE || st.state() == NodeState.FENCED);
    // The manager's word lags its record by a round: a daemon that started again writes an unfenced, active record.
    if (stopped && rec != null && !rec.fenced() && !rec.mode().down()) return node + " is starting again";
    if (stopped) return null;
    return node + " is " + (st == null ? "starting (not known to the manager yet)" : st.state().label());
  }

  static ClusterConfig config(Admin admin) throws Exception {
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new CliError("the cluster has no configuration yet (is a node up?); nothing was written", 1);
    return cfg;
  }

  @Command(name = "add", description = {"Add a member to the cluster's configuration: the manager times it from "
      + "its first lease renewal (it is never fenced before it joined); then start its daemon with its own YAML or "
      + "`palisade cluster join`. Without --watchdog no it is watchdog-protected; --fence-level names devices of "
      + "`palisade fence device list`. Bad input exits 2 and writes nothing."})
  static final class Add implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the new node's name (as its YAML's node:)")
    String node;

    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
      if (!FenceDeviceDef.NAME.matcher(node).matches()) {
        throw new CliError("NAME: '" + node + "' is not a node name (lower-case letters, digits, '-', '_'); "
            + "nothing was written");
      }
      try (Admin admin = store.admin()) {
        ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
        if (ms != null && ms.nodes().containsKey(node) && !config(admin).nodes().containsKey(node)) {
          throw new CliError(node + " was removed and the manager has not forgotten it yet: try again in a few "
              + "seconds; nothing was written");
        }
        NodeConfig added = admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          if (c == null) throw new CliError("the cluster has no configuration yet; nothing was written", 1);
          if (c.nodes().containsKey(node)) throw new CliError("node " + node + " exists; nothing was written");
          NodeConfig n = settings.applyTo(NodeConfig.standard(node), c);
          return checked(() -> c.withNodeAdded(n));
        }).nodes().get(node);
        String line = "node " + node + " added (" + describe(added) + ")";
        admin.audit(line);
        System.out.println(line + "; start its daemon now: the manager times it from its first renewal");
      }
      return 0;
    }
  }

  @Command(name = "remove", description = {"Remove a member from the cluster's configuration and its records. "
      + "Refused (exit 2, nothing written) while the node is up, holds resources or the SPM role, or a group or "
      + "rule names it. Stop the node first (`node shutdown`); a removed node is never fenced."})
  static final class Remove implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "the node to remove")
    String node;

    @Override
    public Integer call() throws Exception {
      try (Admin admin = store.admin()) {
        if (!config(admin).nodes().containsKey(node)) throw new CliError("no node '" + node + "'");
        String up = running(admin, node);
        if (up != null) {
          throw new CliError("node remove " + node + ": " + up + ": stop the node first (palisade node shutdown "
              + node + "); nothing was written");
        }
        ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
        TreeSet<String> held = new TreeSet<>();
        if (ms != null) {
          ms.services().forEach((id, s) -> {
            if (holds(s, node)) held.add(id);
          });
          if (ms.spm() != null && ms.spm().node().equals(node)) {
            throw new CliError("node remove " + node + ": it holds the SPM role; nothing was written");
          }
        }
        if (!held.isEmpty()) {
          throw new CliError("node remove " + node + ": it holds resources " + String.join(", ", held) + " (move or "
              + "remove them first); nothing was written");
        }
        admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          TreeSet<String> naming = new TreeSet<>();
          c.groups().forEach((g, gc) -> {
            if (gc.nodes().containsKey(node)) naming.add("group " + g);
          });
          c.placement().rules().forEach((r, rule) -> {
            if (rule.nodes().containsKey(node)) naming.add("rule " + r);
          });
          // A resource first added on the node names it in /config; the manager reads that only when it first places
          // the resource, so one placed elsewhere since is rewritten as added where it is now (as Proxmox keeps it).
          ClusterConfig moved = c;
          for (var rc : c.resources().values()) {
            if (!node.equals(rc.node())) continue;
            ServiceStatus ss = ms == null ? null : ms.services().get(rc.id());
            if (ss == null || ss.node() == null || ss.node().equals(node)) {
              naming.add("resource " + rc.id() + " (added on it, not placed elsewhere yet)");
            } else {
              moved = moved.withResource(rc.withNode(ss.node()));
            }
          }
          if (!naming.isEmpty()) {
            throw new CliError("node remove " + node + ": " + String.join(", ", naming) + " name it (change them "
                + "first); nothing was written");
          }
          ClusterConfig without = moved;
          return checked(() -> without.withoutNode(node));
        });
        admin.delete(StorePaths.node(node));
        admin.delete(ShutdownRequest.path(node));
        admin.audit("node " + node + " removed");
        System.out.println("node " + node + " removed (the manager forgets it from its next round; its daemon "
            + "would now refuse to start)");
      }
      return 0;
    }

    private static boolean holds(ServiceStatus s, String node) {
      return node.equals(s.node()) || node.equals(s.target());
    }
  }

  @Command(name = "set", description = {"Change a node's settings in the cluster's configuration: fence levels, "
      + "SPM priority, shutdown policy and site at any time (the manager applies them from its next round); the "
      + "watchdog kind only while the node is stopped (its daemon runs with the watchdog it started with). Bad "
      + "input exits 2 and writes nothing."})
  static final class Set implements Callable<Integer> {
    @Mixin
    StoreOptions store = new StoreOptions();

    @Parameters(index = "0", paramLabel = "NODE", description = "the node to change")
    String node;

    @Mixin
    Settings settings = new Settings();

    @Override
    public Integer call() throws Exception {
      if (!settings.any()) {
        throw new CliError("node set: give at least one of --watchdog, --fence-level, --spm-priority, "
            + "--shutdown-policy, --site");
      }
      try (Admin admin = store.admin()) {
        ClusterConfig cfg = config(admin);
        NodeConfig before = cfg.nodes().get(node);
        if (before == null) throw new CliError("no node '" + node + "'");
        if (settings.watchdog != null && settings.applyTo(before, cfg).watchdog() != before.watchdog()) {
          String up = running(admin, node);
          if (up != null) {
            throw new CliError("node set " + node + " --watchdog: " + up + ": stop the node first (its daemon runs "
                + "with the watchdog it started with, and the cluster would count on another); nothing was written");
          }
        }
        ClusterConfig after = admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
          NodeConfig b = c == null ? null : c.nodes().get(node);
          if (b == null) throw new CliError("no node '" + node + "'");
          if (b.watchdog() != before.watchdog()) throw new CliError("node " + node + " changed meanwhile; retry");
          NodeConfig n = settings.applyTo(b, c);
          return checked(() -> c.withNode(n));
        });
        NodeConfig n = after.nodes().get(node);
        String line = "node " + node + " set (" + describe(n) + ")";
        admin.audit(line);
        System.out.println(line + "; the manager applies it from its next round"
            + (n.shutdownPolicy() == null && settings.shutdownPolicy != null ? " (shutdown policy: the cluster's, "
            + NodeShutdownCommands.label(after.shutdownPolicy()) + ")" : ""));
      }
      return 0;
    }
  }

  /** The configuration built by make, or a refusal with the validation's message. */
  static ClusterConfig checked(java.util.function.Supplier<ClusterConfig> make) {
    try {
      return make.get();
    } catch (ConfigException e) {
      throw new CliError(e.getMessage() + "; nothing was written");
    }
  }

  /** `watchdog=yes fence_levels=[[bmc4]] spm_priority=-1 shutdown_policy=default site=-`. */
  static String describe(NodeConfig n) {
    return "watchdog=" + (n.watchdog() ? "yes" : "no") + " fence_levels=" + n.fenceLevels() + " spm_priority="
        + n.spmPriority() + " shutdown_policy=" + (n.shutdownPolicy() == null ? "default"
        : NodeShutdownCommands.label(n.shutdownPolicy())) + " site=" + (n.site() == null ? "-" : n.site());
  }
}
