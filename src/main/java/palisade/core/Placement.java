package palisade.core;

import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Where a resource should run (Proxmox's select_service_node): the allowed online nodes of its group, highest
 * priority first, then least loaded, ties by name. Without failback a resource stays where it is while allowed.
 */
final class Placement {
  private final ClusterConfig config;
  private final Working working;
  private final SortedMap<String, NodeRecord> records;
  private final TreeMap<String, Integer> load = new TreeMap<>();

  /** Nodes this manager itself heard renewing recently: a new manager trusts no inherited `online`. */
  private final java.util.Set<String> heard;

  /** The configuration's rules, indexed (kept by the manager while the configuration stays the same). */
  private final RuleIndex rules;
  /** Loads weighed by CPUs and memory (crs=static|dynamic), or null under crs=basic: counts only. */
  private final Usage usage;

  Placement(ClusterConfig config, Working working, SortedMap<String, NodeRecord> records,
      java.util.Set<String> heard) {
    this(config, working, records, heard, RuleIndex.of(config), java.util.Collections.emptySortedMap(),
        java.util.Collections.emptySortedMap());
  }

  Placement(ClusterConfig config, Working working, SortedMap<String, NodeRecord> records,
      java.util.Set<String> heard, RuleIndex rules, SortedMap<String, Capacity> measured,
      SortedMap<String, Capacity> reportedCapacity) {
    Check.that(rules.config == config, "placement: rules of another configuration");
    this.config = config;
    this.working = working;
    this.records = records;
    this.heard = heard;
    this.rules = rules;
    this.reportedCapacity = reportedCapacity;
    this.usage = config.placement().crs() == Crs.BASIC ? null : new Usage(config, working, measured, this);
  }

  /** Node capacities the agents reported (CPU count, memory): used where the configuration states none. */
  private final SortedMap<String, Capacity> reportedCapacity;

  /**
   * A node's capacity as placement weighs it: each figure as configured (crs static capacity), else as its agent
   * reported it, else 0 (nothing to weigh).
   */
  Capacity capacity(String node) {
    Capacity c = config.placement().capacity(node);
    if (c.cpu() > 0 && c.memBytes() > 0) return c;
    Capacity r = reportedCapacity.get(node);
    if (r == null) return c;
    return new Capacity(c.cpu() > 0 ? c.cpu() : r.cpu(), c.memBytes() > 0 ? c.memBytes() : r.memBytes());
  }

  /** Load per node, counted on first use: a steady round places nothing and never pays for it. */
  private TreeMap<String, Integer> load() {
    if (!loadCounted) {
      loadCounted = true;
      for (String n : config.nodes().keySet()) load.put(n, 0);
      if (counts != null) load.putAll(counts.now(working)); // the same figures, without a walk of every status
      else for (ServiceStatus ss : working.services.values()) {
        String n = loadNode(ss);
        if (n != null) load.merge(n, 1, Integer::sum);
      }
    }
    return load;
  }

  private boolean loadCounted;
  /** The manager's counts kept across rounds, or null: count the working statuses. */
  LoadCounts counts;

  /** The node a status occupies for load purposes. */
  static String loadNode(ServiceStatus ss) {
    return switch (ss.state()) {
      case STARTED, FREEZE, FENCE, REQUEST_STOP -> ss.node();
      case MIGRATE, RELOCATE -> ss.target();
      case REQUEST_START, STOPPED, DISABLED, RECOVERY, ERROR, IGNORED -> null;
    };
  }

  /** Keeps load counts right when a round changes a resource's status. */
  void moved(String id, ServiceStatus from, ServiceStatus to) {
    if (usage != null) usage.moved(id, from, to);
    if (!loadCounted) return; // counted from the working state when first needed, which includes this move
    String a = from == null ? null : loadNode(from);
    String b = to == null ? null : loadNode(to);
    if (a != null) addLoad(a, -1);
    if (b != null) addLoad(b, 1);
  }

  /** Changes a node's load, keeping the load-ordered set consistent (its order depends on the load). */
  private void addLoad(String node, int delta) {
    int was = load.merge(node, delta, Integer::sum) - delta;
    Check.that(was + delta >= 0, "placement: load of %s below zero", node);
    if (byLoad != null && byLoad.remove(new Loaded(was, node))) byLoad.add(new Loaded(was + delta, node));
  }

  /** A node with its load, ordered by load, then name: the key of the load index. */
  private record Loaded(int load, String node) implements Comparable<Loaded> {
    @Override
    public int compareTo(Loaded o) {
      return load != o.load ? Integer.compare(load, o.load) : node.compareTo(o.node);
    }
  }

  /**
   * Eligible nodes by load, then name: the least-loaded choice in O(log n) for resources without a group. Keys
   * carry the load, so keeping the index right costs no map lookups per comparison.
   */
  private java.util.TreeSet<Loaded> byLoad;

  private java.util.TreeSet<Loaded> byLoad() {
    refresh();
    if (byLoad == null) {
      TreeMap<String, Integer> l = load();
      byLoad = new java.util.TreeSet<>();
      for (String n : eligibleNodes) byLoad.add(new Loaded(l.get(n), n));
    }
    return byLoad;
  }

  /** Node facts cached for the round, refreshed whenever a node changes state. */
  private long cachedAt = -1;
  private final java.util.ArrayList<String> eligibleNodes = new java.util.ArrayList<>();
  private final java.util.TreeSet<String> eligibleSet = new java.util.TreeSet<>();
  private final TreeMap<String, Integer> topPriority = new TreeMap<>();
  private final TreeMap<String, Integer> topRulePriority = new TreeMap<>();

  private void refresh() {
    if (cachedAt == working.nodeChanges()) return;
    cachedAt = working.nodeChanges();
    byLoad = null;
    eligibleNodes.clear();
    eligibleSet.clear();
    topPriority.clear();
    topRulePriority.clear();
    for (String n : config.nodes().keySet()) {
      if (working.nodeState(n) != NodeState.ONLINE) continue;
      NodeRecord rec = records.get(n);
      if (rec != null && !rec.fenced() && rec.mode() == AgentMode.ACTIVE && rec.inTime() && heard.contains(n)) {
        eligibleNodes.add(n); // in name order
        eligibleSet.add(n);
      }
    }
  }

  /** Why an operator's move to node is refused when it is not eligible: its state, or what it still lacks. */
  String notEligible(String node) {
    NodeState st = working.nodeState(node);
    if (st == NodeState.MAINTENANCE) return node + " is in maintenance";
    if (st != NodeState.ONLINE) return node + " is " + st.label() + ", not online";
    NodeRecord rec = records.get(node);
    if (rec != null && rec.fenced()) return node + " is online but was fenced and has not rejoined yet";
    if (rec == null || rec.mode() != AgentMode.ACTIVE) {
      return node + " is online but its agent is not active yet (it has just started or rejoined); try again in a "
          + "few seconds";
    }
    return node + " is online but late with its renewals; try again once it renews on time";
  }

  /** Has this manager heard node renew recently? */
  boolean heardFrom(String node) {
    return heard.contains(node);
  }

  /** May new work be placed on this node? */
  boolean eligible(String node) {
    refresh();
    return eligibleSet.contains(node);
  }

  /** Could a resource on current move to a node of higher priority (failback)? Ungrouped: all rank equal. */
  boolean couldImprove(ResourceConfig rc, String current) {
    Rule rule = rc.group() == null ? rules.nodeRule(rc.id()) : null;
    if (rc.group() == null && rule == null) return false;
    refresh();
    // Groups and rules have separate caches (one name may be both): no key built per resource and round.
    Integer top = (rule == null ? topPriority : topRulePriority).computeIfAbsent(rule == null ? rc.group()
        : rule.name(), g -> {
          int best = Integer.MIN_VALUE;
          for (String n : eligibleNodes) {
            Integer p = priority(rc, n);
            if (p != null) best = Math.max(best, p);
          }
          return best;
        });
    Integer mine = rule == null ? priority(rc, current) : priorityIn(rule.nodes(), rule.strict(), current);
    return mine == null || mine < top;
  }

  /** Priority of node for resource rc: its group's priority, -1 outside an unrestricted group, null if barred. */
  Integer priority(ResourceConfig rc, String node) {
    if (rc.group() == null) {
      Rule r = rules.nodeRule(rc.id()); // a group is a node-affinity rule: the same ranking, from the rule
      if (r == null) return 0;
      Integer p = r.nodes().get(node);
      return p != null ? p : r.strict() ? null : -1;
    }
    GroupConfig g = config.groups().get(rc.group());
    Check.that(g != null, "%s: group %s is not configured", rc.id(), rc.group());
    Integer p = g.nodes().get(node);
    if (p != null) return p;
    return g.restricted() ? null : -1;
  }

  /** A node's priority in a node map: its own, -1 outside a non-strict one, null outside a strict one. */
  private static Integer priorityIn(SortedMap<String, Integer> nodes, boolean strict, String node) {
    Integer p = nodes.get(node);
    return p != null ? p : strict ? null : Integer.valueOf(-1);
  }

  boolean failback(ResourceConfig rc) {
    if (rc.group() != null) return config.groups().get(rc.group()).failback();
    Rule r = rules.nodeRule(rc.id());
    return r == null || r.failback();
  }

  /**
   * The best node, or null if none is allowed and online.
   *
   * @param current where it is now (kept when it is among the best, or when failback is off and it is allowed)
   * @param exclude nodes not to use (tried ones, a node being left)
   */
  String select(ResourceConfig rc, String current, Set<String> exclude) {
    refusal = null;
    String chosen = checked(rc, exclude, choose(rc, current, exclude));
    if (rules.affine(rc.id())) waiting(rc.id(), chosen == null ? refusal : null);
    return chosen;
  }

  /** Why the last select found no node because of a resource-affinity rule, or null. */
  private String refusal;

  /** Logs once per change that a resource waits because of a rule (and when it no longer does). */
  private void waiting(String id, String why) {
    String before = why == null ? rules.waits.remove(id) : rules.waits.put(id, why);
    if (why != null && !why.equals(before)) working.event(id + ": waits: " + why);
  }

  /**
   * Does a resource running on node break one of its resource-affinity rules? A negative partner of lower id on the
   * same node (the lower id stays, the other moves), or positive partners gathered on another usable node.
   */
  String misplaced(ResourceConfig rc, String node) {
    if (!rules.affine(rc.id())) return null;
    for (var e : rules.apart(rc.id()).entrySet()) {
      ServiceStatus p = working.services.get(e.getKey());
      if (p != null && e.getKey().compareTo(rc.id()) < 0 && occupies(p, node)) {
        return "rule " + e.getValue() + " keeps it apart from " + e.getKey() + " on " + node;
      }
    }
    String with = together(rc, Set.of(), banned(rc));
    if (with != null && !with.isEmpty() && !with.equals(node)) {
      return "rule " + rules.together(rc.id()).values().iterator().next() + " keeps it with "
          + String.join(", ", rules.together(rc.id()).keySet()) + " on " + with;
    }
    return null;
  }

  /** Resources a positive rule keeps with id: an operator's move of one moves them all. */
  java.util.Set<String> partners(String id) {
    return rules.together(id).keySet();
  }

  /**
   * May rc go back to node after maintenance under its rules? Not where a negative partner is; with positive partners
   * only where they are or are going back to as well (the set returns together).
   */
  boolean mayReturn(ResourceConfig rc, String node) {
    if (!rules.affine(rc.id())) return true;
    if (banned(rc).containsKey(node)) return false;
    for (String p : rules.together(rc.id()).keySet()) {
      ServiceStatus ps = working.services.get(p);
      if (ps != null && !node.equals(loadNode(ps)) && !node.equals(ps.maintenanceNode())) return false;
    }
    return true;
  }

  /** Why a negative rule forbids rc on node (a partner holds it), or null. */
  String refusedOn(ResourceConfig rc, String node) {
    String rule = rules.affine(rc.id()) ? banned(rc).get(node) : null;
    return rule == null ? null : node + " holds " + rule + " keeping it apart from " + rc.id();
  }

  /**
   * May the status hold its resource on node (running there, or migrating from or to it)? An errored or ignored
   * resource may still run where it was (a failed stop, an unmanaged VM): it counts there too; so does the target of
   * a live migration its node failed during (in fence or recovery: it may already run there).
   */
  private static boolean occupies(ServiceStatus ss, String node) {
    return switch (ss.state()) {
      case STARTED, FREEZE, REQUEST_STOP, ERROR, IGNORED -> node.equals(ss.node());
      case MIGRATE, RELOCATE, FENCE -> node.equals(ss.node()) || node.equals(ss.target());
      case RECOVERY -> node.equals(ss.target());
      case REQUEST_START, STOPPED, DISABLED -> false;
    };
  }

  /** The usable nodes rc's positive partners hold (running there or moving there), with how many. */
  private TreeMap<String, Integer> held(ResourceConfig rc) {
    TreeMap<String, Integer> held = new TreeMap<>();
    for (String p : rules.together(rc.id()).keySet()) {
      ServiceStatus ps = working.services.get(p);
      String n = ps == null ? null : loadNode(ps);
      if (n != null && eligible(n)) held.merge(n, 1, Integer::sum);
    }
    return held;
  }

  /** Nodes a negative partner of rc may hold, with the rule: none of them may take rc. */
  private TreeMap<String, String> banned(ResourceConfig rc) {
    TreeMap<String, String> banned = new TreeMap<>();
    for (var e : rules.apart(rc.id()).entrySet()) {
      ServiceStatus p = working.services.get(e.getKey());
      if (p == null) continue;
      for (String n : new String[] {p.node(), p.target()}) {
        if (n != null && occupies(p, n)) banned.putIfAbsent(n, e.getKey() + ", rule " + e.getValue());
      }
    }
    return banned;
  }

  /**
   * The node rc must join under its positive rules: of the usable nodes its partners hold (by load: running there
   * or moving there), the one holding most, ties by name. Null when its partners hold no usable node (it chooses
   * freely, and they follow it). If partners hold usable nodes that rc itself may not use, the empty string: wait.
   */
  private String together(ResourceConfig rc, Set<String> exclude, java.util.Map<String, String> banned) {
    TreeMap<String, Integer> held = held(rc);
    if (held.isEmpty()) return null;
    String best = "";
    int most = 0;
    for (var e : held.entrySet()) {
      String n = e.getKey();
      if (exclude.contains(n) || banned.containsKey(n) || priority(rc, n) == null) continue;
      if (e.getValue() > most) {
        best = n;
        most = e.getValue();
      }
    }
    return best;
  }

  /**
   * Invariant 7 for every choice: only an eligible node (online, so never in maintenance), never one outside a
   * restricted group, never an excluded one.
   */
  private String checked(ResourceConfig rc, Set<String> exclude, String chosen) {
    if (chosen == null) return null;
    Check.invariant(7, eligible(chosen) && working.nodeState(chosen) == NodeState.ONLINE
        && priority(rc, chosen) != null && !exclude.contains(chosen), "%s placed on %s (%s, group %s, excluded %s)",
        rc.id(), chosen, working.nodeState(chosen).label(), rc.group(), exclude);
    if (rules.affine(rc.id())) {
      TreeMap<String, String> banned = banned(rc);
      Check.invariant(7, !banned.containsKey(chosen), "%s placed on %s, which negative rule %s keeps from it",
          rc.id(), chosen, banned.get(chosen));
      TreeMap<String, Integer> held = held(rc);
      Check.invariant(7, held.isEmpty() || held.containsKey(chosen),
          "%s placed on %s, apart from its positive partners on %s", rc.id(), chosen, held.keySet());
    }
    return chosen;
  }

  private String choose(ResourceConfig rc, String current, Set<String> exclude) {
    boolean affine = rules.affine(rc.id());
    if (rc.group() == null && exclude.isEmpty() && usage == null && !affine && rules.nodeRule(rc.id()) == null) {
      // Every node ranks equal: stay where it is if allowed, else the least loaded.
      if (current != null && eligible(current)) return current;
      java.util.TreeSet<Loaded> nodes = byLoad();
      return nodes.isEmpty() ? null : nodes.first().node();
    }
    java.util.Map<String, String> banned = affine ? banned(rc) : java.util.Map.of();
    String with = affine ? together(rc, exclude, banned) : null;
    if (with != null && with.isEmpty()) {
      refusal = "rule " + rules.together(rc.id()).values().iterator().next() + " keeps it with "
          + String.join(", ", rules.together(rc.id()).keySet()) + ", on no node it may use";
      return null;
    }
    String best = null;
    int bestPriority = Integer.MIN_VALUE;
    int bestLoad = Integer.MAX_VALUE;
    double bestBalance = Double.MAX_VALUE;
    double bestOwn = Double.MAX_VALUE;
    boolean currentAllowed = false;
    Integer currentPriority = null;
    boolean ruledOut = false;
    refresh();
    Capacity demand = null;
    if (usage != null) {
      usage.prepare(eligibleNodes, cachedAt);
      demand = usage.demand(rc.id());
    }
    // The node affinity, looked up once: priority(rc, n) per candidate would cost a lookup by id for each.
    GroupConfig group = rc.group() == null ? null : config.groups().get(rc.group());
    Check.that(rc.group() == null || group != null, "%s: group %s is not configured", rc.id(), rc.group());
    Rule rule = group == null ? rules.nodeRule(rc.id()) : null;
    for (int k = 0; k < eligibleNodes.size(); k++) {
      String n = eligibleNodes.get(k);
      if (exclude.contains(n)) continue;
      Integer p = group != null ? priorityIn(group.nodes(), group.restricted(), n)
          : rule != null ? priorityIn(rule.nodes(), rule.strict(), n) : Integer.valueOf(0);
      if (p == null) continue;
      if (banned.containsKey(n) || (with != null && !with.equals(n))) {
        ruledOut = true;
        continue;
      }
      if (n.equals(current)) {
        currentAllowed = true;
        currentPriority = p;
      }
      if (usage == null) {
        int l = load().get(n);
        if (p > bestPriority || (p == bestPriority && l < bestLoad)) {
          best = n;
          bestPriority = p;
          bestLoad = l;
        }
      } else if (p >= bestPriority) {
        // Candidates come in name order: only a strictly better score replaces, so ties go to the lower name.
        double b = usage.balance(demand, k);
        double o = p > bestPriority || b <= bestBalance ? usage.own(demand, k) : 0;
        // Equal figures (no capacities or demands stated): the resource count decides, as under crs=basic.
        int l = p > bestPriority || (b == bestBalance && o == bestOwn) ? load().get(n) : 0;
        if (p > bestPriority || b < bestBalance || (b == bestBalance && (o < bestOwn || (o == bestOwn
            && l < bestLoad)))) {
          best = n;
          bestPriority = p;
          bestBalance = b;
          bestOwn = o;
          bestLoad = load().get(n);
        }
      }
    }
    if (best == null && ruledOut) {
      StringBuilder b = new StringBuilder("kept apart from ");
      banned.forEach((n, why) -> b.append(n).append(" (").append(why).append("), "));
      refusal = b.append("and no other node may take it").toString();
    }
    if (currentAllowed && (currentPriority == bestPriority || !failback(rc))) return current;
    return best;
  }
}
