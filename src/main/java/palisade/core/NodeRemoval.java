package palisade.core;

import java.util.TreeSet;

/**
 * Whether a member may leave the configuration, and the configuration without it: one judgment for `palisade node
 * remove` (CLI and API) and the simulator's `node remove`. A node leaves only stopped (never joined, shut down
 * cleanly, or confirmed fenced) and holding nothing (no resource placed or arriving there, not the SPM role); the
 * manager then forgets it (never fences it, never places on it).
 */
public final class NodeRemoval {
  private NodeRemoval() {}

  /** Null when node is stopped by the manager's state and its own record, else what it is ("node4 is online"). */
  public static String running(ManagerState ms, NodeRecord rec, String node) {
    NodeStatus st = ms == null ? null : ms.nodes().get(node);
    if (rec == null && st == null) return null;
    boolean stopped = st != null && (st.state() == NodeState.OFFLINE || st.state() == NodeState.FENCED);
    // The manager's word lags its record by a round: a daemon that started again writes an unfenced, active record.
    if (stopped && rec != null && !rec.fenced() && !rec.mode().down()) return node + " is starting again";
    if (stopped) return null;
    return node + " is " + (st == null ? "starting (not known to the manager yet)" : st.state().label());
  }

  /** Null when the stopped node holds nothing, else what it holds. */
  public static String holding(ManagerState ms, String node) {
    if (ms == null) return null;
    if (ms.spm() != null && ms.spm().node().equals(node)) return "it holds the SPM role";
    TreeSet<String> held = new TreeSet<>();
    ms.services().forEach((id, s) -> {
      if (node.equals(s.node()) || node.equals(s.target())) held.add(id);
    });
    return held.isEmpty() ? null : "it holds resources " + String.join(", ", held) + " (move or remove them first)";
  }

  /**
   * The configuration without node; a resource first added there and placed elsewhere since is rewritten as added
   * where it is now (the manager reads a resource's node only when it first places it).
   *
   * @throws ConfigException naming each group, rule or not yet placed resource that still names the node
   */
  public static ClusterConfig without(ClusterConfig c, ManagerState ms, String node) {
    TreeSet<String> naming = new TreeSet<>();
    c.groups().forEach((g, gc) -> {
      if (gc.nodes().containsKey(node)) naming.add("group " + g);
    });
    c.placement().rules().forEach((r, rule) -> {
      if (rule.nodes().containsKey(node)) naming.add("rule " + r);
    });
    ClusterConfig moved = c;
    for (ResourceConfig rc : c.resources().values()) {
      if (!node.equals(rc.node())) continue;
      ServiceStatus ss = ms == null ? null : ms.services().get(rc.id());
      if (ss == null || ss.node() == null || ss.node().equals(node)) {
        naming.add("resource " + rc.id() + " (added on it, not placed elsewhere yet)");
      } else {
        moved = moved.withResource(rc.withNode(ss.node()));
      }
    }
    if (!naming.isEmpty()) throw new ConfigException(String.join(", ", naming) + " name it (change them first)");
    return moved.withoutNode(node);
  }
}
