package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules of one configuration, indexed by resource: its node-affinity rule, the resources a positive rule keeps
 * with it and those a negative rule keeps from it (each with the rule's name, for the events). Built once per
 * configuration (the manager keeps it while the configuration object stays the same); also validates rules when a
 * configuration is made, so a conflicting configuration is refused when written, naming both rules.
 */
final class RuleIndex {
  private final TreeMap<String, Rule> nodeRule = new TreeMap<>();
  private final TreeMap<String, TreeMap<String, String>> together = new TreeMap<>();
  private final TreeMap<String, TreeMap<String, String>> apart = new TreeMap<>();
  /** Resources waiting because of a rule, with the reason last told: the event is logged once per change. */
  final TreeMap<String, String> waits = new TreeMap<>();
  final ClusterConfig config;

  private RuleIndex(ClusterConfig config) {
    this.config = config;
    for (Rule r : config.placement().rules().values()) {
      for (String id : r.resources()) {
        switch (r.kind()) {
          case NODE_AFFINITY -> nodeRule.put(id, r);
          case POSITIVE, NEGATIVE -> {
            TreeMap<String, TreeMap<String, String>> to = r.kind() == Rule.Kind.POSITIVE ? together : apart;
            for (String other : r.resources()) {
              if (!other.equals(id)) to.computeIfAbsent(id, k -> new TreeMap<>()).putIfAbsent(other, r.name());
            }
          }
        }
      }
    }
  }

  static RuleIndex of(ClusterConfig config) {
    return new RuleIndex(config);
  }

  /** The node-affinity rule of a resource, or null. */
  Rule nodeRule(String id) {
    return nodeRule.get(id);
  }

  /** Resources a positive rule keeps with id, each with the rule's name (empty if none). */
  SortedMap<String, String> together(String id) {
    TreeMap<String, String> t = together.get(id);
    return t == null ? EMPTY : t;
  }

  /** Resources a negative rule keeps from id, each with the rule's name (empty if none). */
  SortedMap<String, String> apart(String id) {
    TreeMap<String, String> a = apart.get(id);
    return a == null ? EMPTY : a;
  }

  /** Is id in any resource-affinity rule? */
  boolean affine(String id) {
    return together.containsKey(id) || apart.containsKey(id);
  }

  private static final SortedMap<String, String> EMPTY = java.util.Collections.unmodifiableSortedMap(new TreeMap<>());

  // ---- validation ------------------------------------------------------------------------------------------------

  /**
   * Refuses rules that name unknown nodes or resources, a resource in two node-affinity rules (or in a group and a
   * node-affinity rule), and rules that cannot all hold: a positive and a negative rule sharing two resources, a
   * positive rule whose members' strict nodes have nothing in common, a negative rule with more members than the
   * nodes they may use. Each error names the rules involved.
   */
  static void validate(SortedMap<String, NodeConfig> nodes, SortedMap<String, GroupConfig> groups,
      SortedMap<String, ResourceConfig> resources, PlacementConfig placement) {
    TreeMap<String, String> nodeRuleOf = new TreeMap<>();
    for (Rule r : placement.rules().values()) {
      for (String n : r.nodes().keySet()) {
        if (!nodes.containsKey(n)) throw new ConfigException("rule " + r.name() + ": unknown node '" + n + "'");
      }
      for (String id : r.resources()) {
        ResourceConfig rc = resources.get(id);
        if (rc == null) throw new ConfigException("rule " + r.name() + ": unknown resource '" + id + "'");
        if (r.kind() != Rule.Kind.NODE_AFFINITY) continue;
        String before = nodeRuleOf.put(id, r.name());
        if (before != null) {
          throw new ConfigException("rules " + before + " and " + r.name() + " conflict: resource " + id
              + " is in both node-affinity rules (a resource has at most one)");
        }
        if (rc.group() != null) {
          throw new ConfigException("rule " + r.name() + " and group " + rc.group() + " conflict: resource " + id
              + " is in both (a group is a node-affinity rule; use one)");
        }
      }
    }
    for (String id : placement.resourceDemand().keySet()) {
      if (!resources.containsKey(id)) throw new ConfigException("cpu/mem of unknown resource '" + id + "'");
    }
    for (String n : placement.nodeCapacity().keySet()) {
      if (!nodes.containsKey(n)) throw new ConfigException("cpu/mem of unknown node '" + n + "'");
    }
    List<Rule> positive = new ArrayList<>();
    List<Rule> negative = new ArrayList<>();
    for (Rule r : placement.rules().values()) {
      if (r.kind() == Rule.Kind.POSITIVE) positive.add(r);
      if (r.kind() == Rule.Kind.NEGATIVE) negative.add(r);
    }
    for (Rule p : positive) {
      for (Rule n : negative) {
        TreeSet<String> shared = new TreeSet<>(p.resources());
        shared.retainAll(n.resources());
        if (shared.size() >= 2) {
          throw new ConfigException("rules " + p.name() + " and " + n.name() + " conflict: " + String.join(" and ",
              List.copyOf(shared).subList(0, 2)) + " must be both together and apart");
        }
      }
      TreeSet<String> common = new TreeSet<>(nodes.keySet());
      TreeSet<String> strictBy = new TreeSet<>();
      for (String id : p.resources()) {
        String why = strictNodes(id, resources, groups, placement, nodeRuleOf, common);
        if (why != null) strictBy.add(why);
      }
      if (common.isEmpty()) {
        throw new ConfigException("rule " + p.name() + " and " + String.join(", ", strictBy) + " conflict: the "
            + "strict node-affinity of its resources leaves no node for them together");
      }
    }
    for (Rule n : negative) {
      TreeSet<String> usable = new TreeSet<>();
      TreeSet<String> strictBy = new TreeSet<>();
      for (String id : n.resources()) {
        TreeSet<String> mine = new TreeSet<>(nodes.keySet());
        String why = strictNodes(id, resources, groups, placement, nodeRuleOf, mine);
        if (why != null) strictBy.add(why);
        usable.addAll(mine);
      }
      if (usable.size() < n.resources().size()) {
        throw new ConfigException("rule " + n.name() + (strictBy.isEmpty() ? "" : " and " + String.join(", ",
            strictBy)) + " conflict: " + n.resources().size() + " resources kept apart on only " + usable.size()
            + " usable node(s)");
      }
    }
  }

  /** Narrows nodes to those id may use under a strict node affinity; returns what restricts it, or null. */
  private static String strictNodes(String id, SortedMap<String, ResourceConfig> resources,
      SortedMap<String, GroupConfig> groups, PlacementConfig placement, TreeMap<String, String> nodeRuleOf,
      TreeSet<String> nodes) {
    ResourceConfig rc = resources.get(id);
    GroupConfig g = rc.group() == null ? null : groups.get(rc.group());
    if (g != null && g.restricted()) {
      nodes.retainAll(g.nodes().keySet());
      return "group " + g.name();
    }
    String rule = nodeRuleOf.get(id);
    Rule r = rule == null ? null : placement.rules().get(rule);
    if (r != null && r.strict()) {
      nodes.retainAll(r.nodes().keySet());
      return "rule " + r.name();
    }
    return null;
  }
}
