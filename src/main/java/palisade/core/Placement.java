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

  Placement(ClusterConfig config, Working working, SortedMap<String, NodeRecord> records,
      java.util.Set<String> heard) {
    this.config = config;
    this.working = working;
    this.records = records;
    this.heard = heard;
  }

  /** Load per node, counted on first use: a steady round places nothing and never pays for it. */
  private TreeMap<String, Integer> load() {
    if (!loadCounted) {
      loadCounted = true;
      for (String n : config.nodes().keySet()) load.put(n, 0);
      for (ServiceStatus ss : working.services.values()) {
        String n = loadNode(ss);
        if (n != null) load.merge(n, 1, Integer::sum);
      }
    }
    return load;
  }

  private boolean loadCounted;

  /** The node a status occupies for load purposes. */
  private static String loadNode(ServiceStatus ss) {
    return switch (ss.state()) {
      case STARTED, FREEZE, FENCE, REQUEST_STOP -> ss.node();
      case MIGRATE, RELOCATE -> ss.target();
      case REQUEST_START, STOPPED, DISABLED, RECOVERY, ERROR, IGNORED -> null;
    };
  }

  /** Keeps load counts right when a round changes a resource's status. */
  void moved(ServiceStatus from, ServiceStatus to) {
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

  private void refresh() {
    if (cachedAt == working.nodeChanges()) return;
    cachedAt = working.nodeChanges();
    byLoad = null;
    eligibleNodes.clear();
    eligibleSet.clear();
    topPriority.clear();
    for (String n : config.nodes().keySet()) {
      if (working.nodeState(n) != NodeState.ONLINE) continue;
      NodeRecord rec = records.get(n);
      if (rec != null && !rec.fenced() && rec.mode() == AgentMode.ACTIVE && rec.inTime() && heard.contains(n)) {
        eligibleNodes.add(n); // in name order
        eligibleSet.add(n);
      }
    }
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
    if (rc.group() == null) return false;
    refresh();
    Integer top = topPriority.computeIfAbsent(rc.group(), g -> {
      int best = Integer.MIN_VALUE;
      for (String n : eligibleNodes) {
        Integer p = priority(rc, n);
        if (p != null) best = Math.max(best, p);
      }
      return best;
    });
    Integer mine = priority(rc, current);
    return mine == null || mine < top;
  }

  /** Priority of node for resource rc: its group's priority, -1 outside an unrestricted group, null if barred. */
  Integer priority(ResourceConfig rc, String node) {
    if (rc.group() == null) return 0;
    GroupConfig g = config.groups().get(rc.group());
    Check.that(g != null, "%s: group %s is not configured", rc.id(), rc.group());
    Integer p = g.nodes().get(node);
    if (p != null) return p;
    return g.restricted() ? null : -1;
  }

  boolean failback(ResourceConfig rc) {
    return rc.group() == null || config.groups().get(rc.group()).failback();
  }

  /**
   * The best node, or null if none is allowed and online.
   *
   * @param current where it is now (kept when it is among the best, or when failback is off and it is allowed)
   * @param exclude nodes not to use (tried ones, a node being left)
   */
  String select(ResourceConfig rc, String current, Set<String> exclude) {
    return checked(rc, exclude, choose(rc, current, exclude));
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
    return chosen;
  }

  private String choose(ResourceConfig rc, String current, Set<String> exclude) {
    if (rc.group() == null && exclude.isEmpty()) {
      // Every node ranks equal: stay where it is if allowed, else the least loaded.
      if (current != null && eligible(current)) return current;
      java.util.TreeSet<Loaded> nodes = byLoad();
      return nodes.isEmpty() ? null : nodes.first().node();
    }
    String best = null;
    int bestPriority = Integer.MIN_VALUE;
    int bestLoad = Integer.MAX_VALUE;
    boolean currentAllowed = false;
    Integer currentPriority = null;
    refresh();
    for (String n : eligibleNodes) {
      if (exclude.contains(n)) continue;
      Integer p = priority(rc, n);
      if (p == null) continue;
      if (n.equals(current)) {
        currentAllowed = true;
        currentPriority = p;
      }
      int l = load().get(n);
      if (p > bestPriority || (p == bestPriority && l < bestLoad)) {
        best = n;
        bestPriority = p;
        bestLoad = l;
      }
    }
    if (currentAllowed && (currentPriority == bestPriority || !failback(rc))) return current;
    return best;
  }
}
