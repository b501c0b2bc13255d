package palisade.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which resources a round must step ({@link ResourcePhase}). A resource is quiet when its last step changed and told
 * nothing and that step read only its own configuration and status and, if it runs, its node's state and record
 * (see {@link #node}); a quiet resource is stepped again only once one of those changed: its status (any change goes
 * through the working copy's funnel, which lists it), the configuration (every resource is stepped), or its node's
 * state or record (all quiet resources of that node are stepped). Every other resource is stepped every round.
 */
final class QuietResources {
  /** For quiet resources that read no node. */
  private static final String NO_NODE = "";
  /** Resources stepped every round (not quiet), or null: all, the next round steps everything. */
  private TreeSet<String> active;
  /** Quiet resources by the node whose state and record their step reads, and each one's node. */
  private final TreeMap<String, TreeSet<String>> quietOn = new TreeMap<>();
  private final TreeMap<String, String> quietNode = new TreeMap<>();
  /** Each node's state and record as the quiet resources on it last read them. */
  private final TreeMap<String, NodeSeen> seen = new TreeMap<>();
  /** Ids whose configuration and status may disagree (present in one only): synced every round until they agree. */
  private final TreeSet<String> unsynced = new TreeSet<>();
  private ClusterConfig config;
  private int lastStepped;

  private record NodeSeen(NodeStatus status, NodeRecord record) {
    boolean same(NodeSeen o) {
      return Objects.equals(status, o.status) && (record == null ? o.record == null
          : o.record != null && ResourcePhase.sameButCounter(record, o.record));
    }
  }

  /** Nothing is known: the next round steps every resource. */
  void forget() {
    active = null;
  }

  /** Statuses changed outside stepping: those resources are stepped (and synced) next round. */
  void changed(java.util.Collection<String> ids) {
    if (active == null) return;
    for (String id : ids) wake(id);
    unsynced.addAll(ids);
  }

  int lastStepped() {
    return lastStepped;
  }

  /**
   * Steps the resources that may change, in recovery order, until the budget is spent; the rest stay active (they
   * were not looked at), so the next round steps them — but for those a fence moves ({@link #onFencedNode}).
   */
  void step(Working w, ServiceMachine machine, ResourcePhase.Inputs in, StatusBudget budget) {
    if (active == null || in.config() != config) start(w, in.config());
    changed(w.touched().keySet()); // changed this round before stepping: operator commands, node transitions
    for (String n : in.config().nodes().keySet()) {
      NodeSeen now = new NodeSeen(w.nodes.get(n), in.records().get(n));
      NodeSeen before = seen.put(n, now);
      if (before == null || !before.same(now)) {
        TreeSet<String> quiet = quietOn.remove(n);
        if (quiet != null) {
          for (String id : quiet) quietNode.remove(id);
          active.addAll(quiet);
        }
      }
    }
    // Exactly the ids whose configuration and status disagree (a superset is harmless: syncing the others is a
    // no-op), in id order, as a walk of both would give them.
    for (String id : new ArrayList<>(unsynced)) { // an import of thousands is added over several writes too
      if (budget.spent(w)) break;
      machine.syncConfig(id);
    }
    unsynced.removeIf(id -> in.config().resources().containsKey(id) == w.services.containsKey(id));
    changed(w.touched().keySet()); // added by the sync: stepped this round, as the full walk steps every status
    List<String> order = new ArrayList<>(active);
    order.sort(Comparator.comparingInt((String id) -> priority(in.config(), id)).reversed());
    int stepped = 0;
    for (String id : order) {
      if (budget.spent(w) && !onFencedNode(w, id)) continue;
      stepped++;
      ResourceConfig rc = in.config().resources().get(id);
      long marks = w.marks();
      machine.step(id, rc);
      ServiceStatus ss = w.services.get(id);
      String node = ss == null || w.marks() != marks ? null : node(w, in, id, rc, ss);
      if (ss == null) active.remove(id);
      else if (node != null) rest(id, node);
    }
    lastStepped = stepped;
    budget.stepped(w);
  }

  /**
   * A resource still placed on a node in fencing or fenced: its move to fence is never deferred by the budget. It
   * goes in the write that carries the node's fence (or before): an agent that sees its fence, kills everything and
   * rejoins must find none of its resources still assigned to it under an old token, or it would start them again
   * while its fence is confirmed (fuzz seed 20262671: the budget deferred two of three, the rejoined agent restarted
   * them, and its own acknowledgement confirmed the fence — invariant 4).
   */
  private static boolean onFencedNode(Working w, String id) {
    ServiceStatus ss = w.services.get(id);
    if (ss == null) return false;
    NodeState ns = w.nodeState(ss.node());
    if (ns != NodeState.FENCING && ns != NodeState.FENCED) return false;
    return switch (ss.state()) {
      case STARTED, REQUEST_STOP, MIGRATE, RELOCATE, FREEZE -> true;
      case REQUEST_START, STOPPED, DISABLED, FENCE, RECOVERY, ERROR, IGNORED -> false;
    };
  }

  /** The recovery order: higher restart priority first, then by id (a stable sort keeps the id order). */
  private static int priority(ClusterConfig config, String id) {
    ResourceConfig rc = config.resources().get(id);
    return rc == null ? 0 : rc.priority();
  }

  private void start(Working w, ClusterConfig c) {
    config = c;
    active = new TreeSet<>(w.services.keySet());
    quietOn.clear();
    quietNode.clear();
    seen.clear();
    unsynced.clear();
    unsynced.addAll(SortedKeys.differences(c.resources().keySet(), w.services.keySet()));
  }

  private void wake(String id) {
    String node = quietNode.remove(id);
    if (node != null) quietOn.get(node).remove(id);
    active.add(id);
  }

  private void rest(String id, String node) {
    active.remove(id);
    quietNode.put(id, node);
    quietOn.computeIfAbsent(node, k -> new TreeSet<>()).add(id);
  }

  /**
   * What a no-op step of this resource read besides its configuration and status: its node (read through the
   * node's state and record), {@link #NO_NODE}, or null when it may read more (placement, rules, other resources).
   * A running resource outside groups and rules, with no failures and no maintenance return due, on an online
   * node whose agent is active, reads its node's state, its node's mode and its own result there
   * (ServiceMachine.started: its failback and rule checks answer no without reading anything else; on a node in
   * maintenance or shutting down it would look for a target, which reads placement). A stopped, disabled or errored resource, or an ignored one configured
   * ignored, reads its configuration and status only.
   */
  private static String node(Working w, ResourcePhase.Inputs in, String id, ResourceConfig rc, ServiceStatus ss) {
    if (rc == null) return null;
    return switch (ss.state()) {
      case STARTED -> rc.group() == null && in.rules().nodeRule(id) == null && !in.rules().affine(id)
          && ss.failedStarts() == 0 && ss.maintenanceNode() == null && in.config().nodes().containsKey(ss.node())
          && w.nodeState(ss.node()) == NodeState.ONLINE && in.records().get(ss.node()) != null
          && in.records().get(ss.node()).mode() == AgentMode.ACTIVE ? ss.node() : null;
      case STOPPED, DISABLED, ERROR -> NO_NODE;
      case IGNORED -> rc.state() == RequestState.IGNORED ? NO_NODE : null;
      default -> null;
    };
  }
}
