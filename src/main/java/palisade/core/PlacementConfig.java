package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The placement part of the cluster configuration: rules, the scheduler's load measure, and the capacities it weighs.
 * Kept apart from nodes and resources so a configuration without any of it reads and writes as before.
 *
 * @param rules rules by name
 * @param crs how load is measured ({@code option crs=})
 * @param rebalanceOnStart a resource requested to start first goes to the best node ({@code crs_rebalance_on_start})
 * @param nodeCapacity node to its CPUs and memory (absent: 0, the node offers nothing to weigh)
 * @param resourceDemand resource to its configured CPUs and memory (absent: 0)
 * @param autoRebalance the {@code crs_auto_rebalance*} options (absent, as in an older store: off)
 * @param powerSaving the {@code power_saving*} options (absent, as in an older store: off)
 */
public record PlacementConfig(SortedMap<String, Rule> rules, Crs crs, boolean rebalanceOnStart,
    SortedMap<String, Capacity> nodeCapacity, SortedMap<String, Capacity> resourceDemand,
    AutoRebalanceConfig autoRebalance, PowerSavingConfig powerSaving) {

  public static final PlacementConfig NONE = new PlacementConfig(null, null, false, null, null);

  /** Without automatic rebalancing. */
  public PlacementConfig(SortedMap<String, Rule> rules, Crs crs, boolean rebalanceOnStart,
      SortedMap<String, Capacity> nodeCapacity, SortedMap<String, Capacity> resourceDemand) {
    this(rules, crs, rebalanceOnStart, nodeCapacity, resourceDemand, AutoRebalanceConfig.OFF);
  }

  /** Without power saving. */
  public PlacementConfig(SortedMap<String, Rule> rules, Crs crs, boolean rebalanceOnStart,
      SortedMap<String, Capacity> nodeCapacity, SortedMap<String, Capacity> resourceDemand,
      AutoRebalanceConfig autoRebalance) {
    this(rules, crs, rebalanceOnStart, nodeCapacity, resourceDemand, autoRebalance, PowerSavingConfig.OFF);
  }

  public PlacementConfig {
    autoRebalance = autoRebalance == null ? AutoRebalanceConfig.OFF : autoRebalance;
    powerSaving = (powerSaving == null ? PowerSavingConfig.OFF : powerSaving).check();
    rules = Collections.unmodifiableSortedMap(new TreeMap<>(rules == null ? new TreeMap<>() : rules));
    crs = crs == null ? Crs.BASIC : crs;
    nodeCapacity = Collections.unmodifiableSortedMap(new TreeMap<>(nodeCapacity == null ? new TreeMap<>()
        : nodeCapacity));
    resourceDemand = Collections.unmodifiableSortedMap(new TreeMap<>(resourceDemand == null ? new TreeMap<>()
        : resourceDemand));
    for (var e : rules.entrySet()) {
      Check.that(e.getKey().equals(e.getValue().name()), "rule %s stored under %s", e.getValue().name(), e.getKey());
    }
  }

  /** Nothing but today's behaviour: no rules, basic counting. */
  public boolean plain() {
    return rules.isEmpty() && crs == Crs.BASIC && !rebalanceOnStart && !autoRebalance.on() && !powerSaving.on();
  }

  public PlacementConfig withRules(SortedMap<String, Rule> rs) {
    return new PlacementConfig(rs, crs, rebalanceOnStart, nodeCapacity, resourceDemand, autoRebalance, powerSaving);
  }

  public PlacementConfig withCrs(Crs c, boolean onStart) {
    return new PlacementConfig(rules, c, onStart, nodeCapacity, resourceDemand, autoRebalance, powerSaving);
  }

  public PlacementConfig withAutoRebalance(AutoRebalanceConfig a) {
    return new PlacementConfig(rules, crs, rebalanceOnStart, nodeCapacity, resourceDemand, a, powerSaving);
  }

  public PlacementConfig withPowerSaving(PowerSavingConfig p) {
    return new PlacementConfig(rules, crs, rebalanceOnStart, nodeCapacity, resourceDemand, autoRebalance, p);
  }

  public PlacementConfig withResourceDemand(String id, Capacity c) {
    TreeMap<String, Capacity> d = new TreeMap<>(resourceDemand);
    if (c == null) d.remove(id);
    else d.put(id, c);
    return new PlacementConfig(rules, crs, rebalanceOnStart, nodeCapacity, d, autoRebalance, powerSaving);
  }

  /**
   * The settings without the rules and the resources' demands: what an agent's part of the configuration holds
   * (they name resources the part does not hold, and only the manager places).
   */
  public PlacementConfig withoutResourceRules() {
    return new PlacementConfig(null, crs, rebalanceOnStart, nodeCapacity, null, autoRebalance, powerSaving);
  }

  /**
   * Without a removed resource: it leaves every rule (as Proxmox does), a rule left without resources (or a
   * resource-affinity rule with one) goes too, and so does its configured demand.
   */
  public PlacementConfig withoutResource(String id) {
    TreeMap<String, Rule> rs = new TreeMap<>();
    for (Rule r : rules.values()) {
      if (!r.resources().contains(id)) {
        rs.put(r.name(), r);
        continue;
      }
      java.util.TreeSet<String> left = new java.util.TreeSet<>(r.resources());
      left.remove(id);
      if (left.isEmpty() || (r.kind() != Rule.Kind.NODE_AFFINITY && left.size() < 2)) continue;
      rs.put(r.name(), new Rule(r.name(), r.kind(), r.nodes(), left, r.strict(), r.failback()));
    }
    TreeMap<String, Capacity> d = new TreeMap<>(resourceDemand);
    d.remove(id);
    return new PlacementConfig(rs, crs, rebalanceOnStart, nodeCapacity, d, autoRebalance, powerSaving);
  }

  public Capacity demand(String id) {
    return resourceDemand.getOrDefault(id, Capacity.NONE);
  }

  public Capacity capacity(String node) {
    return nodeCapacity.getOrDefault(node, Capacity.NONE);
  }
}
