package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The operator's configuration, one store record: nodes, groups, resources, policies, and the timings. It is the one
 * source of truth for what the safety argument depends on (DESIGN "Fence confirmation", RUNTIME "What lives where").
 *
 * @param timing the cluster's R, X, W, L and ρ: every daemon runs its agent and manager under them (its tick is a
 *     local matter). Null only in a configuration that states none (core tests, an older store): a daemon refuses
 *     to run under such a /config, and the manager then compares a fenced record with its own timings only.
 * @param repairAfterMs {@code repair_after}: power-cycle a watchdog-fenced node that has a fence device and has not
 *     rejoined within this long (DESIGN "Repair after a fence"); 0 = off, the default
 * @param fence the power-fencing options: grace and device checks (null, as in an older store: the defaults)
 * @param placement rules, the scheduler's load measure and capacities (never null: absent reads as none)
 */
public record ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
    SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy, Timing timing, long repairAfterMs,
    FenceOptions fence, PlacementConfig placement) {

  /** A configuration with the default fencing options, without placement rules or capacities. */
  public ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy, Timing timing, long repairAfterMs) {
    this(nodes, groups, resources, shutdownPolicy, timing, repairAfterMs, null, PlacementConfig.NONE);
  }

  /** A configuration with these fencing options, without placement rules or capacities. */
  public ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy, Timing timing, long repairAfterMs,
      FenceOptions fence) {
    this(nodes, groups, resources, shutdownPolicy, timing, repairAfterMs, fence, PlacementConfig.NONE);
  }

  /** A configuration with these placement settings and the default fencing options. */
  public ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy, Timing timing, long repairAfterMs,
      PlacementConfig placement) {
    this(nodes, groups, resources, shutdownPolicy, timing, repairAfterMs, null, placement);
  }

  /** A configuration without repair after a fence. */
  public ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy, Timing timing) {
    this(nodes, groups, resources, shutdownPolicy, timing, 0);
  }

  /** A configuration that states no timing. */
  public ClusterConfig(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, ShutdownPolicy shutdownPolicy) {
    this(nodes, groups, resources, shutdownPolicy, null);
  }

  public ClusterConfig {
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    groups = Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    resources = Collections.unmodifiableSortedMap(new TreeMap<>(resources));
    if (fence == null) fence = FenceOptions.defaults();
    placement = placement == null ? PlacementConfig.NONE : placement;
    if (repairAfterMs < 0 || repairAfterMs > Timing.MAX_DURATION_MS) {
      throw new ConfigException("repair_after: " + repairAfterMs + "ms is out of range (0 = off, at most 24h)");
    }
    for (GroupConfig g : groups.values()) {
      for (String n : g.nodes().keySet()) {
        if (!nodes.containsKey(n)) throw new ConfigException("group " + g.name() + ": unknown node '" + n + "'");
      }
    }
    for (ResourceConfig r : resources.values()) {
      if (r.group() != null && !groups.containsKey(r.group())) {
        throw new ConfigException("resource " + r.id() + ": unknown group '" + r.group() + "'");
      }
      if (r.node() != null && !nodes.containsKey(r.node())) {
        throw new ConfigException("resource " + r.id() + ": unknown node '" + r.node() + "'");
      }
    }
    if (!nodes.isEmpty() && nodes.values().stream().allMatch(NodeConfig::agentOnly)) {
      throw new ConfigException("agent_only: every node is agent-only, so none could ever be manager; "
          + "leave at least one node (three in a large cluster) without agent_only");
    }
    RuleIndex.validate(nodes, groups, resources, placement);
  }

  /**
   * Whether the node may hold the manager lease: unless configured {@code agent_only} (a manager outside the members,
   * as the round bench runs one, may; a removed node's daemon refuses to start anyway).
   */
  public boolean managerCandidate(String node) {
    NodeConfig n = nodes.get(node);
    return n == null || !n.agentOnly();
  }

  public ClusterConfig withResource(ResourceConfig r) {
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(resources);
    rs.put(r.id(), r);
    return new ClusterConfig(nodes, groups, rs, shutdownPolicy, timing, repairAfterMs, fence, placement);
  }

  /**
   * The shutdown policy in force for a node: its own override ({@code nodes[].shutdown_policy}), else the
   * cluster's default.
   */
  public ShutdownPolicy shutdownPolicyOf(String node) {
    NodeConfig n = node == null ? null : nodes.get(node);
    return n != null && n.shutdownPolicy() != null ? n.shutdownPolicy() : shutdownPolicy;
  }

  /** The same configuration with another cluster-wide default shutdown policy. */
  public ClusterConfig withShutdownPolicy(ShutdownPolicy policy) {
    return new ClusterConfig(nodes, groups, resources, policy, timing, repairAfterMs, fence, placement);
  }

  /** The same configuration with another {@code repair_after} (0 = off). */
  public ClusterConfig withRepairAfter(long ms) {
    return new ClusterConfig(nodes, groups, resources, shutdownPolicy, timing, ms, fence, placement);
  }

  /** The same configuration with one more member (the node must not exist yet). */
  public ClusterConfig withNodeAdded(NodeConfig n) {
    Check.that(!nodes.containsKey(n.name()), "withNodeAdded: node %s exists", n.name());
    TreeMap<String, NodeConfig> ns = new TreeMap<>(nodes);
    ns.put(n.name(), n);
    return new ClusterConfig(ns, groups, resources, shutdownPolicy, timing, repairAfterMs, fence, placement);
  }

  /**
   * The same configuration without a member (it must exist), and without its capacity. A group, rule or resource
   * still naming it makes the result invalid (ConfigException naming it): the operator changes those first.
   */
  public ClusterConfig withoutNode(String name) {
    Check.that(nodes.containsKey(name), "withoutNode: unknown node %s", name);
    TreeMap<String, NodeConfig> ns = new TreeMap<>(nodes);
    ns.remove(name);
    TreeMap<String, Capacity> capacity = new TreeMap<>(placement.nodeCapacity());
    capacity.remove(name);
    PlacementConfig p = new PlacementConfig(placement.rules(), placement.crs(), placement.rebalanceOnStart(), capacity,
        placement.resourceDemand(), placement.autoRebalance());
    return new ClusterConfig(ns, groups, resources, shutdownPolicy, timing, repairAfterMs, fence, p);
  }

  /** The same configuration with one node's settings replaced (the node must exist). */
  public ClusterConfig withNode(NodeConfig n) {
    Check.that(nodes.containsKey(n.name()), "withNode: unknown node %s", n.name());
    TreeMap<String, NodeConfig> ns = new TreeMap<>(nodes);
    ns.put(n.name(), n);
    return new ClusterConfig(ns, groups, resources, shutdownPolicy, timing, repairAfterMs, fence, placement);
  }

  public ClusterConfig withoutResource(String id) {
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(resources);
    rs.remove(id);
    return new ClusterConfig(nodes, groups, rs, shutdownPolicy, timing, repairAfterMs, fence,
        placement.withoutResource(id));
  }

  /** The same configuration with another timing target (a live change: DESIGN "Changing timings live"). */
  public ClusterConfig withTiming(Timing t) {
    return new ClusterConfig(nodes, groups, resources, shutdownPolicy, t, repairAfterMs, fence, placement);
  }

  /** The same configuration with other power-fencing options. */
  public ClusterConfig withFence(FenceOptions f) {
    return new ClusterConfig(nodes, groups, resources, shutdownPolicy, timing, repairAfterMs, f, placement);
  }

  public ClusterConfig withGroups(SortedMap<String, GroupConfig> gs) {
    return new ClusterConfig(nodes, gs, resources, shutdownPolicy, timing, repairAfterMs, fence, placement);
  }

  /** The same configuration with other placement settings (rules, crs, capacities). */
  public ClusterConfig withPlacement(PlacementConfig p) {
    return new ClusterConfig(nodes, groups, resources, shutdownPolicy, timing, repairAfterMs, fence, p);
  }
}
