package palisade.runtime.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import palisade.core.ClusterConfig;
import palisade.core.ConfigException;
import palisade.core.FenceDeviceDef;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeRemoval;
import palisade.core.ShutdownPolicy;
import palisade.core.StorePaths;
import palisade.runtime.store.Operations.Done;
import palisade.runtime.store.Operations.Problem;
import palisade.runtime.store.Operations.Refused;

/**
 * The cluster's members in /config, added, changed and removed at runtime by `palisade node add|remove|set` and the
 * HTTP API alike: the manager and every daemon take the new /config from their next round. A node is removed, or
 * its watchdog kind changed, only while it is stopped; a removed node holds nothing and nothing names it.
 */
public final class NodeEdits {
  /**
   * The settings add and set share; null = not given. Fence levels: empty = none; shutdown policy "default" follows
   * the cluster's; site "none" clears it; agentOnly: never manager (refused if no candidate would be left).
   */
  public record Settings(Boolean watchdog, List<List<String>> fenceLevels, Integer spmPriority,
      String shutdownPolicy, String site, Boolean agentOnly) {
    public boolean any() {
      return watchdog != null || fenceLevels != null || spmPriority != null || shutdownPolicy != null || site != null
          || agentOnly != null;
    }
  }

  private final Supplier<Admin> store;
  private final UnaryOperator<String> name;

  public NodeEdits(Supplier<Admin> admin, UnaryOperator<String> names) {
    this.store = admin;
    this.name = names;
  }

  public Done add(String node, Settings s) throws Exception {
    if (node == null || !FenceDeviceDef.NAME.matcher(node).matches()) {
      throw bad(name.apply("name") + ": '" + node + "' is not a node name (lower-case letters, digits, '-', '_')");
    }
    Admin admin = store.get();
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    if (ms != null && ms.nodes().containsKey(node) && !config(admin).nodes().containsKey(node)) {
      throw new Refused(Problem.CONFLICT, node + " was removed and the manager has not forgotten it yet: try again "
          + "in a few seconds");
    }
    NodeConfig added = admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      if (c == null) throw new Refused(Problem.NO_CONFIG, "the cluster has no configuration yet");
      if (c.nodes().containsKey(node)) throw new Refused(Problem.CONFLICT, "node " + node + " exists");
      NodeConfig n = applyTo(s, NodeConfig.standard(node), c);
      return checked(() -> c.withNodeAdded(n));
    }).nodes().get(node);
    return new Done("node " + node + " added (" + describe(added) + ")", 0);
  }

  /** Refused while the node is up, holds resources or the SPM role, or a group, rule or unplaced resource names it. */
  public Done remove(String node) throws Exception {
    Admin admin = store.get();
    if (!config(admin).nodes().containsKey(node)) throw missing(node);
    String up = running(admin, node);
    if (up != null) {
      throw new Refused(Problem.CONFLICT, "node remove " + node + ": " + up + ": stop the node first (palisade node "
          + "shutdown " + node + ")");
    }
    ManagerState ms = admin.value(StorePaths.MANAGER_STATE, ManagerState.class);
    String held = NodeRemoval.holding(ms, node);
    if (held != null) throw new Refused(Problem.CONFLICT, "node remove " + node + ": " + held);
    admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      try {
        return NodeRemoval.without(c, ms, node);
      } catch (ConfigException e) {
        throw new Refused(Problem.CONFLICT, "node remove " + node + ": " + e.getMessage());
      }
    });
    admin.delete(StorePaths.node(node));
    admin.delete(ShutdownRequest.path(node));
    return new Done("node " + node + " removed", 0);
  }

  /** The watchdog kind changes only while the node is stopped (its daemon runs with the one it started with). */
  public Done set(String node, Settings s) throws Exception {
    if (!s.any()) {
      throw bad("node set: give at least one of " + String.join(", ", List.of(name.apply("watchdog"),
          name.apply("fence_level"), name.apply("spm_priority"), name.apply("shutdown_policy"), name.apply("site"),
          name.apply("agent_only"))));
    }
    Admin admin = store.get();
    ClusterConfig cfg = config(admin);
    NodeConfig before = cfg.nodes().get(node);
    if (before == null) throw missing(node);
    if (s.watchdog() != null && s.watchdog() != before.watchdog()) {
      String up = running(admin, node);
      if (up != null) {
        throw new Refused(Problem.CONFLICT, "node set " + node + " " + name.apply("watchdog") + ": " + up
            + ": stop the node first (its daemon runs with the watchdog it started with, and the cluster would "
            + "count on another)");
      }
    }
    ClusterConfig after = admin.update(StorePaths.CONFIG, ClusterConfig.class, c -> {
      NodeConfig b = c == null ? null : c.nodes().get(node);
      if (b == null) throw missing(node);
      if (b.watchdog() != before.watchdog()) throw new Refused(Problem.CONFLICT, "node " + node + " changed "
          + "meanwhile; retry");
      NodeConfig n = applyTo(s, b, c);
      return checked(() -> c.withNode(n));
    });
    NodeConfig n = after.nodes().get(node);
    return new Done("node " + node + " set (" + describe(n) + ")", 0);
  }

  /** The node with every given setting applied to base; a bad value is refused naming its field. */
  private NodeConfig applyTo(Settings s, NodeConfig base, ClusterConfig cfg) {
    boolean wd = s.watchdog() == null ? base.watchdog() : s.watchdog();
    List<List<String>> levels = s.fenceLevels() == null ? base.fenceLevels() : levels(s.fenceLevels(), cfg);
    int spm = s.spmPriority() == null ? base.spmPriority() : s.spmPriority();
    ShutdownPolicy p = s.shutdownPolicy() == null ? base.shutdownPolicy()
        : policy(s.shutdownPolicy(), name.apply("shutdown_policy"), true);
    String site = s.site() == null ? base.site() : s.site().equals("none") ? null : s.site();
    try {
      return new NodeConfig(base.name(), wd, levels, spm, base.manualOnly(), p, base.softFence(), base.kdump(), site,
          s.agentOnly() == null ? base.agentOnly() : s.agentOnly());
    } catch (ConfigException e) {
      throw bad(e.getMessage());
    }
  }

  /** Every device must be one the cluster knows: defined in /config or named already by a node's fence levels. */
  private List<List<String>> levels(List<List<String>> given, ClusterConfig cfg) {
    TreeSet<String> known = knownDevices(cfg);
    List<List<String>> out = new ArrayList<>();
    for (List<String> level : given) {
      if (level.isEmpty()) throw bad(name.apply("fence_level") + ": a level has no device");
      for (String d : level) {
        if (d == null || d.isEmpty()) {
          throw bad(name.apply("fence_level") + ": '" + String.join(",", level) + "' has an empty device name");
        }
        if (!known.contains(d)) {
          throw bad(name.apply("fence_level") + ": no fence device '" + d + "' in the cluster (known: "
              + (known.isEmpty() ? "none" : String.join(", ", known)) + "; add it with palisade fence device add)");
        }
      }
      out.add(List.copyOf(level));
    }
    return out;
  }

  /** Devices /config defines or some node's fence levels name. */
  public static TreeSet<String> knownDevices(ClusterConfig cfg) {
    TreeSet<String> known = new TreeSet<>(cfg.fence().devices().keySet());
    for (NodeConfig n : cfg.nodes().values()) n.fenceLevels().forEach(known::addAll);
    return known;
  }

  /** A shutdown policy by its label (null for "default" where allowed); refused naming {@code field}. */
  public static ShutdownPolicy policy(String text, String field, boolean allowDefault) {
    if (allowDefault && text.equals("default")) return null;
    for (ShutdownPolicy p : ShutdownPolicy.values()) {
      if (label(p).equals(text)) return p;
    }
    throw bad(field + ": '" + text + "' is not one of conditional, freeze, failover, migrate"
        + (allowDefault ? ", default" : ""));
  }

  public static String label(ShutdownPolicy p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  /** Null when node is stopped (never joined, shut down cleanly, or confirmed fenced), else what it is. */
  public static String running(Admin admin, String node) throws Exception {
    return NodeRemoval.running(admin.value(StorePaths.MANAGER_STATE, ManagerState.class),
        admin.value(StorePaths.node(node), NodeRecord.class), node);
  }

  /** `watchdog=yes fence_levels=[[bmc4]] spm_priority=-1 shutdown_policy=default site=-` (and ` agent_only=yes`). */
  public static String describe(NodeConfig n) {
    return "watchdog=" + (n.watchdog() ? "yes" : "no") + " fence_levels=" + n.fenceLevels() + " spm_priority="
        + n.spmPriority() + " shutdown_policy=" + (n.shutdownPolicy() == null ? "default" : label(n.shutdownPolicy()))
        + " site=" + (n.site() == null ? "-" : n.site()) + (n.agentOnly() ? " agent_only=yes" : "");
  }

  private static ClusterConfig config(Admin admin) throws Exception {
    ClusterConfig cfg = admin.value(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) throw new Refused(Problem.NO_CONFIG, "the cluster has no configuration yet (is a node up?)");
    return cfg;
  }

  /** The configuration built by make, or a refusal with the validation's message. */
  private static ClusterConfig checked(Supplier<ClusterConfig> make) {
    try {
      return make.get();
    } catch (ConfigException e) {
      throw bad(e.getMessage());
    }
  }

  private static Refused missing(String node) {
    return new Refused(Problem.NOT_FOUND, "no node '" + node + "'");
  }

  private static Refused bad(String message) {
    return new Refused(Problem.BAD_INPUT, message);
  }
}
