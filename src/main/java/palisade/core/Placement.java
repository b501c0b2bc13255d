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

  Placement(ClusterConfig config, Working working, SortedMap<String, NodeRecord> records) {
    this.config = config;
    this.working = working;
    this.records = records;
    for (String n : config.nodes().keySet()) load.put(n, 0);
    for (ServiceStatus ss : working.services.values()) {
      String n = loadNode(ss);
      if (n != null) load.merge(n, 1, Integer::sum);
    }
  }

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
    String a = from == null ? null : loadNode(from);
    String b = to == null ? null : loadNode(to);
    if (a != null) load.merge(a, -1, Integer::sum);
    if (b != null) load.merge(b, 1, Integer::sum);
  }

  /** May new work be placed on this node? */
  boolean eligible(String node) {
    if (working.nodeState(node) != NodeState.ONLINE) return false;
    NodeRecord rec = records.get(node);
    return rec != null && !rec.fenced() && rec.mode() == AgentMode.ACTIVE;
  }

  /** Priority of node for resource rc: its group's priority, -1 outside an unrestricted group, null if barred. */
  Integer priority(ResourceConfig rc, String node) {
    if (rc.group() == null) return 0;
    GroupConfig g = config.groups().get(rc.group());
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
    String best = null;
    int bestPriority = Integer.MIN_VALUE;
    int bestLoad = Integer.MAX_VALUE;
    boolean currentAllowed = false;
    Integer currentPriority = null;
    for (String n : config.nodes().keySet()) {
      if (exclude.contains(n) || !eligible(n)) continue;
      Integer p = priority(rc, n);
      if (p == null) continue;
      if (n.equals(current)) {
        currentAllowed = true;
        currentPriority = p;
      }
      int l = load.get(n);
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
