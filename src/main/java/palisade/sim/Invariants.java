package palisade.sim;

import java.util.Map;
import java.util.TreeMap;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.core.StorePaths;

/**
 * The DESIGN invariants, checked from outside the code under test: against physical truth (what really runs
 * where, what is powered) at the moment each relevant event happens.
 */
final class Invariants {
  private final SimWorld world;
  /** resource -> node -> highest token the manager ever committed for running it there. */
  private final TreeMap<String, TreeMap<String, Long>> assigned = new TreeMap<>();
  /** Highest SPM token the manager ever committed. */
  private long spmIssued;

  Invariants(SimWorld world) {
    this.world = world;
  }

  private void fail(String invariant, String facts) {
    throw new Violation(String.format("invariant %s violated at %d.%03ds: %s", invariant, world.now() / 1000,
        world.now() % 1000, facts));
  }

  /** Invariants 1 and 2, when a resource physically starts (or arrives by migration) on node. */
  void onStart(String id, String node, long token) {
    TreeMap<String, Long> on = world.running().get(id);
    if (on != null) {
      for (String other : on.keySet()) {
        if (!other.equals(node)) {
          fail("1 (never two instances)", id + " starts on " + node + " while running on " + other);
        }
      }
    }
    TreeMap<String, Long> tokens = assigned.getOrDefault(id, new TreeMap<>());
    for (var e : tokens.entrySet()) {
      if (!e.getKey().equals(node) && e.getValue() > token) {
        fail("2 (newest token)", id + " starts on " + node + " with token " + token + " but token "
            + e.getValue() + " was already issued for " + e.getKey());
      }
    }
  }

  /** Invariant 3, when a node starts acting as SPM: nobody else acts, and it holds the newest SPM token. */
  void onSpmActivate(String node, long token) {
    for (SimNode other : world.nodes().values()) {
      if (!other.name.equals(node) && other.spmToken != 0) {
        fail("3 (one SPM)", node + " becomes SPM (token " + token + ") while " + other.name + " acts as SPM (token "
            + other.spmToken + ")");
      }
    }
    if (token < spmIssued) {
      fail("3 (one SPM)", node + " becomes SPM with token " + token + " but token " + spmIssued
          + " was already issued");
    }
  }

  /** A committed store write: checks invariants 4 and 6 and tracks issued tokens. */
  void onWrite(String path, palisade.core.Versioned<Object> before, Object after) {
    if (path.equals(StorePaths.MANAGER_STATE)) {
      managerState(before == null ? null : (ManagerState) before.value(), (ManagerState) after);
    } else if (path.startsWith(StorePaths.NODES + "/") && after instanceof NodeRecord rec) {
      NodeRecord old = before == null ? null : (NodeRecord) before.value();
      if (rec.fenced() && (old == null || rec.generation() > old.generation())) fenceWritten(rec.node());
    }
  }

  private void managerState(ManagerState before, ManagerState after) {
    if (after.spm() != null) spmIssued = Math.max(spmIssued, after.spm().token());
    SpmRole had = before == null ? null : before.spm();
    if (had != null && (after.spm() == null || after.spm().token() != had.token())) {
      // The role leaves its holder only once the holder stopped acting: released, shut down, or reset.
      SimNode holder = world.node(had.node());
      if (holder != null && holder.spmToken == had.token()) {
        fail("3 (one SPM)", "the SPM role (token " + had.token() + ") taken from " + had.node()
            + " while it still acts as SPM");
      }
    }
    for (var e : after.nodes().entrySet()) {
      NodeStatus was = before == null ? null : before.nodes().get(e.getKey());
      if (e.getValue().state() != NodeState.FENCED || (was != null && was.state() == NodeState.FENCED)) continue;
      // Every confirmation (watchdog, power, manual) claims the node runs nothing any more: check the claim.
      for (String id : world.runningOn(e.getKey())) {
        ServiceStatus ss = after.services().get(id);
        if (ss != null && ss.state() == ServiceState.IGNORED) continue;
        fail("4 (fence confirmation)", e.getKey() + " confirmed fenced by "
            + e.getValue().confirmation().kind().name().toLowerCase(java.util.Locale.ROOT) + " while it still runs "
            + id);
      }
    }
    for (var e : after.services().entrySet()) {
      String id = e.getKey();
      ServiceStatus now = e.getValue();
      String runsOn = switch (now.state()) {
        case STARTED -> now.node();
        case MIGRATE -> now.target();
        default -> null;
      };
      if (runsOn != null) assigned.computeIfAbsent(id, k -> new TreeMap<>()).merge(runsOn, now.token(), Math::max);
      ServiceStatus was = before == null ? null : before.services().get(id);
      if (now.state() == ServiceState.RECOVERY && (was == null || was.state() != ServiceState.RECOVERY)) {
        // Invariant 4, logical half: a resource is released from a node only once that node's fence is
        // confirmed, or the node shut down cleanly and said so.
        NodeStatus ns = after.nodes().get(now.node());
        boolean ok = ns != null && (ns.state() == NodeState.OFFLINE
            || (ns.state() == NodeState.FENCED && ns.confirmation() != null));
        if (!ok) {
          fail("4 (leave only after fence confirmed)", id + " released from " + now.node() + " whose fence is not "
              + "confirmed (" + (ns == null ? "no status" : ns.state().label()) + ")");
        }
      }
      if (was == null || now.state() != ServiceState.STARTED || was.node() == null
          || was.node().equals(now.node()) || was.state() == ServiceState.MIGRATE) {
        continue;
      }
      // Invariant 4: it leaves its old node only when that node no longer runs it, and a failed node only
      // after its fence is confirmed.
      TreeMap<String, Long> on = world.running().get(id);
      if (on != null && on.containsKey(was.node())) {
        fail("4 (leave only after fence confirmed)", id + " assigned to " + now.node() + " while still running on "
            + was.node());
      }
      if (was.state() == ServiceState.FENCE) {
        NodeStatus ns = after.nodes().get(was.node());
        boolean ok = ns != null && (ns.state() == NodeState.OFFLINE
            || (ns.confirmation() != null && ns.state() != NodeState.FENCING));
        if (!ok) {
          fail("4 (leave only after fence confirmed)", id + " recovered from " + was.node()
              + " whose fence is not confirmed (" + (ns == null ? "no status" : ns.state().label()) + ")");
        }
      }
    }
  }

  /**
   * A fence write committed. Invariant 6: a node that kept store access and its agent running for longer than
   * the lease is never fenced. And the watchdog premise: a watchdog-protected node runs no HA resource any more.
   */
  private void fenceWritten(String node) {
    SimNode n = world.node(node);
    palisade.core.Timing t = world.timing();
    double rate = 1.0 + t.driftPpm() / 1_000_000.0;
    long window = (long) ((t.leaseMs() + 2 * t.renewMs() + 2 * t.ackMs()) * rate) + 100;
    if (n.healthySinceMs != Long.MAX_VALUE && world.now() - n.healthySinceMs >= window) {
      fail("6 (no false fencing)", node + " fenced although it kept store access and its agent for "
          + (world.now() - n.healthySinceMs) + "ms");
    }
    if (n.watchdogEnabled) {
      ManagerState ms = world.managerState();
      for (String id : world.runningOn(node)) {
        ServiceStatus ss = ms == null ? null : ms.services().get(id);
        if (ss != null && ss.state() == ServiceState.IGNORED) continue;
        fail("4 (watchdog confirmation)", node + " fenced by its lease while it still runs " + id
            + ": the watchdog did not reset it in time");
      }
    }
  }

  /** Cheap checks after every event. */
  void afterEvent() {
    for (Map.Entry<String, TreeMap<String, Long>> e : world.running().entrySet()) {
      if (e.getValue().size() > 1) {
        fail("1 (never two instances)", e.getKey() + " runs on " + String.join(" and ", e.getValue().keySet()));
      }
    }
  }

  /**
   * Invariant 5, after faults healed: every resource that should run is running once, on its assigned node.
   * Returns null when it holds, else the facts.
   */
  String liveness() {
    ManagerState ms = world.managerState();
    if (ms == null) return "no manager state was ever written";
    for (ResourceConfig rc : world.config().resources().values()) {
      if (rc.state() != RequestState.STARTED) continue;
      ServiceStatus ss = ms.services().get(rc.id());
      if (ss == null) return rc.id() + " has no status";
      if (ss.state() == ServiceState.ERROR) continue; // an operator's problem by definition, reported as such
      TreeMap<String, Long> on = world.running().get(rc.id());
      if (ss.state() != ServiceState.STARTED) return rc.id() + " is " + ss.state().label() + ", not started";
      if (on == null || !on.containsKey(ss.node())) {
        return rc.id() + " is started on " + ss.node() + " but not running there";
      }
    }
    boolean candidates = world.config().nodes().values().stream().anyMatch(nc -> nc.spmPriority() >= 0);
    long acting = world.nodes().values().stream().filter(n -> n.spmToken != 0).count();
    if (candidates && acting != 1) {
      return acting + " nodes act as SPM, expected one (manager names " + ms.spm() + ")";
    }
    return null;
  }
}
