package palisade.sim.check;

import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.ConfirmKind;
import palisade.core.GroupConfig;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.Rule;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.core.Versioned;
import palisade.sim.SimNode;
import palisade.sim.SimWorld;
import palisade.sim.Violation;
import palisade.sim.WorldObserver;

/**
 * The DESIGN invariants, checked from outside the code under test: against physical truth (what really runs
 * where, what is powered) at the moment each relevant event happens. One method per invariant, named after
 * DESIGN's numbering; the hooks below only route the world's events to them.
 */
public final class Invariants implements WorldObserver {
  private final SimWorld world;
  /** The overlap a resumed frozen node may have, while storage rejects its writes. */
  private final FreezeOverlap overlap;
  /** resource -> node -> highest token the manager ever committed for running it there. */
  private final TreeMap<String, TreeMap<String, Long>> assigned = new TreeMap<>();
  /** Highest SPM token the manager ever committed. */
  private long spmIssued;
  /**
   * node -> the first token that may have been issued while it was in maintenance (invariant 7): a start under an
   * older token was placed before the operator's command and is still on its way.
   */
  private final TreeMap<String, Long> maintenanceFromToken = new TreeMap<>();
  /** node in maintenance -> resources assigned to it since before it entered, without a break (never placed). */
  private final TreeMap<String, TreeSet<String>> maintenanceResidents = new TreeMap<>();
  /** node -> whether the incarnation that made its agent's last committed record write had a working watchdog. */
  private final TreeMap<String, Boolean> lastWriterHadWatchdog = new TreeMap<>();
  /** node -> fence generation -> whether the writer of the record version that fence write named had one. */
  private final TreeMap<String, TreeMap<Long, Boolean>> fencedWriterHadWatchdog = new TreeMap<>();
  /**
   * Nodes an operator asked to fence (`fence node`), with the command's number, until their next fence write or the
   * manager's refusal: invariant 6 is not about them.
   */
  private final TreeMap<String, Long> fenceAsked = new TreeMap<>();
  private long commandsSeen;

  /** Checks every invariant of world from now on. */
  public static Invariants watch(SimWorld world) {
    FreezeOverlap overlap = new FreezeOverlap(world);
    world.observe(overlap);
    Invariants inv = new Invariants(world, overlap);
    world.observe(inv);
    world.observe(new TimingInequality(world));
    return inv;
  }

  private Invariants(SimWorld world, FreezeOverlap overlap) {
    this.world = world;
    this.overlap = overlap;
  }

  private void fail(String invariant, String facts) {
    throw new Violation(String.format("invariant %s violated at %d.%03ds: %s", invariant, world.now() / 1000,
        world.now() % 1000, facts));
  }

  // ---- hooks -----------------------------------------------------------------------------------------------------

  @Override
  public void onStart(String id, String node, long token) {
    invariant1NeverTwoInstances(id, node, token);
    invariant1SharedDisk(id, node);
    invariant2NewestToken(id, node, token);
    invariant7Placement(id, node, token);
    standbyRunsNothing(world.managerState(), node);
  }

  @Override
  public void onSpmActivate(String node, long token) {
    invariant3OneSpm(node, token);
  }

  @Override
  public void onWrite(String path, Versioned<Object> before, Object after) {
    if (path.equals(StorePaths.MANAGER_STATE)) {
      managerState(before == null ? null : (ManagerState) before.value(), (ManagerState) after);
    } else if (path.equals(StorePaths.MANAGER_LEASE) && after instanceof palisade.core.ManagerLease lease) {
      var old = before == null ? null : (palisade.core.ManagerLease) before.value();
      if (old == null || lease.epoch() > old.epoch()) managerCandidate(lease);
    } else if (path.equals(StorePaths.COMMANDS) && after instanceof palisade.core.Commands cmds) {
      for (palisade.core.Command c : cmds.pending()) {
        if (c.seq() > commandsSeen && c instanceof palisade.core.Command.FenceNode f) fenceAsked.put(f.node(), f.seq());
        commandsSeen = Math.max(commandsSeen, c.seq());
      }
    } else if (path.startsWith(StorePaths.NODES + "/") && after instanceof NodeRecord rec) {
      NodeRecord old = before == null ? null : (NodeRecord) before.value();
      if (rec.fenced() && (old == null || rec.generation() > old.generation())) {
        // The manager's fence write: it names the version the agent last wrote (no agent write: no writer).
        fencedWriterHadWatchdog.computeIfAbsent(rec.node(), k -> new TreeMap<>()).put(rec.generation(),
            old != null && lastWriterHadWatchdog.getOrDefault(rec.node(), false));
        // An operator's fence is written at once, on purpose: its proof comes at confirmation (checked there).
        if (fenceAsked.remove(rec.node()) == null) {
          invariant6NoFalseFencing(rec.node());
          invariant4WatchdogConfirmation(rec.node());
        }
      } else if (old == null || rec.counter() != old.counter()) {
        // Only an agent's write bumps the counter: note what its machine physically had.
        lastWriterHadWatchdog.put(rec.node(), world.node(rec.node()).watchdogEnabled());
      }
    }
  }

  /** Cheap checks after every event. */
  @Override
  public void afterEvent() {
    for (String id : world.runningIds()) {
      SortedMap<String, Long> on = world.whereRunning(id);
      if (on.size() > 1 && !overlapAllowed(id, on)) {
        fail("1 (never two instances)", id + " runs on " + String.join(" and ", on.keySet()));
      }
    }
  }

  /** Every instance but the newest is a resumed frozen node's whose writes storage rejects (FreezeOverlap). */
  private boolean overlapAllowed(String id, SortedMap<String, Long> on) {
    long newest = on.values().stream().mapToLong(Long::longValue).max().orElse(0);
    return on.entrySet().stream().filter(e -> e.getValue() != newest).count() == on.size() - 1
        && on.entrySet().stream().allMatch(e -> e.getValue() == newest
        || overlap.allowed(id, e.getKey(), e.getValue(), newest));
  }

  private void managerState(ManagerState before, ManagerState after) {
    // A fence request applied without putting its node in fencing was refused: the exemption ends with it.
    fenceAsked.entrySet().removeIf(e -> after.commandSeq() >= e.getValue()
        && (after.nodes().get(e.getKey()) == null || after.nodes().get(e.getKey()).state() != NodeState.FENCING));
    trackMaintenance(before, after);
    invariant3Handover(before, after);
    invariant4WatchdogConfirmationNeedsAWatchdog(before, after); // the cause, before its consequence below
    invariant4FenceClaims(before, after);
    for (String n : after.nodes().keySet()) standbyRunsNothing(after, n);
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
      invariant4Release(id, was, now, after);
    }
  }

  // ---- 1: never two instances ------------------------------------------------------------------------------------

  /** Invariant 1, when a resource physically starts on node: it runs nowhere else (also checked after every event). */
  private void invariant1NeverTwoInstances(String id, String node, long token) {
    for (var other : world.whereRunning(id).entrySet()) {
      if (!other.getKey().equals(node) && !overlap.allowed(id, other.getKey(), other.getValue(), token)) {
        fail("1 (never two instances)", id + " starts on " + node + " while running on " + other.getKey());
      }
    }
  }

  /**
   * Invariant 1 for disks, when a resource physically starts on node: no other resource that lists one of its disks
   * runs anywhere (two writers of one disk are two instances of what is on it).
   */
  private void invariant1SharedDisk(String id, String node) {
    ResourceConfig rc = world.config().resources().get(id);
    if (rc == null || rc.disks().isEmpty()) return;
    for (ResourceConfig other : world.config().resources().values()) {
      if (other.id().equals(id) || java.util.Collections.disjoint(rc.disks(), other.disks())) continue;
      SortedMap<String, Long> on = world.whereRunning(other.id());
      if (!on.isEmpty()) {
        fail("1 (never two instances)", id + " starts on " + node + " while " + other.id() + ", which shares a disk "
            + "with it, runs on " + String.join(", ", on.keySet()));
      }
    }
  }

  // ---- 2: the newest token ---------------------------------------------------------------------------------------

  /** Invariant 2: a start carries the newest token the manager issued for the resource. */
  private void invariant2NewestToken(String id, String node, long token) {
    TreeMap<String, Long> tokens = assigned.getOrDefault(id, new TreeMap<>());
    if (overlap.heldStart(id, node, token)) return; // ordered under the newest token before its node froze
    for (var e : tokens.entrySet()) {
      if (!e.getKey().equals(node) && e.getValue() > token) {
        fail("2 (newest token)", id + " starts on " + node + " with token " + token + " but token "
            + e.getValue() + " was already issued for " + e.getKey());
      }
    }
  }

  // ---- 3: one SPM ------------------------------------------------------------------------------------------------

  /** Invariant 3, when a node starts acting as SPM: nobody else acts, and it holds the newest SPM token. */
  private void invariant3OneSpm(String node, long token) {
    for (SimNode other : world.nodes().values()) {
      if (!other.node().equals(node) && other.spmToken() != 0
          && !overlap.spmAllowed(other.node(), other.spmToken(), token)) {
        fail("3 (one SPM)", node + " becomes SPM (token " + token + ") while " + other.node()
            + " acts as SPM (token " + other.spmToken() + ")");
      }
    }
    if (token < spmIssued) {
      fail("3 (one SPM)", node + " becomes SPM with token " + token + " but token " + spmIssued
          + " was already issued");
    }
  }

  /** Invariant 3, when the manager moves the role: it leaves its holder only once the holder stopped acting. */
  private void invariant3Handover(ManagerState before, ManagerState after) {
    if (after.spm() != null) spmIssued = Math.max(spmIssued, after.spm().token());
    SpmRole had = before == null ? null : before.spm();
    if (had != null && (after.spm() == null || after.spm().token() != had.token())) {
      // Released, shut down, or reset: anything else means two could act.
      SimNode holder = world.node(had.node());
      if (holder != null && holder.spmToken() == had.token() && !overlap.spmFrozenCover(had.node(), had.token())) {
        fail("3 (one SPM)", "the SPM role (token " + had.token() + ") taken from " + had.node()
            + " while it still acts as SPM");
      }
    }
  }

  /** Power saving: a node in standby was emptied first and takes nothing; nothing of ours ever runs on it. */
  private void standbyRunsNothing(ManagerState ms, String node) {
    NodeStatus st = ms == null ? null : ms.nodes().get(node);
    if (st == null || st.state() != NodeState.STANDBY) return;
    for (String id : world.runningOn(node)) {
      ServiceStatus ss = ms.services().get(id);
      if (ss != null && ss.state() == ServiceState.IGNORED) continue;
      fail("standby (power saving)", node + " is in standby while it runs " + id);
    }
  }

  // ---- 4: leave a failed node only after its fence is confirmed ---------------------------------------------------

  /** Invariant 4: every confirmation (watchdog, power, manual) claims the node runs nothing any more. */
  private void invariant4FenceClaims(ManagerState before, ManagerState after) {
    for (var e : after.nodes().entrySet()) {
      NodeStatus was = before == null ? null : before.nodes().get(e.getKey());
      if (e.getValue().state() != NodeState.FENCED || (was != null && was.state() == NodeState.FENCED)) continue;
      for (String id : world.runningOn(e.getKey())) {
        ServiceStatus ss = after.services().get(id);
        if (ss != null && ss.state() == ServiceState.IGNORED) continue;
        if (e.getValue().confirmation().kind() == ConfirmKind.WATCHDOG && overlap.frozenCover(id, e.getKey())) continue;
        fail("4 (fence confirmation)", e.getKey() + " confirmed fenced by "
            + e.getValue().confirmation().kind().name().toLowerCase(Locale.ROOT) + " while it still runs " + id);
      }
    }
  }

  /** Invariant 4, when a resource's record moves: released or reassigned only from a confirmed-dead node. */
  private void invariant4Release(String id, ServiceStatus was, ServiceStatus now, ManagerState after) {
    if (now.state() == ServiceState.RECOVERY && (was == null || was.state() != ServiceState.RECOVERY)) {
      // Logical half: released only once the node's fence is confirmed, or it shut down cleanly and said so.
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
      return;
    }
    // It leaves its old node only when that node no longer runs it, and a failed node only after its fence is
    // confirmed.
    if (world.whereRunning(id).containsKey(was.node()) && !overlap.frozenCover(id, was.node())) {
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

  /**
   * Invariant 4, a watchdog confirmation's premise: the node physically had a working watchdog, in the incarnation
   * that wrote the record version the fence write named (a later one runs nothing before its own write). The
   * manager confirms by watchdog on the strength of that record; a node without one (configured, or silently, with
   * `watchdog_device=none` or `watchdog NODE missing`) was never going to be reset, so such a confirmation lets a
   * resource leave a node that may still run it, and invariant 1 would follow.
   */
  private void invariant4WatchdogConfirmationNeedsAWatchdog(ManagerState before, ManagerState after) {
    for (var e : after.nodes().entrySet()) {
      NodeStatus was = before == null ? null : before.nodes().get(e.getKey());
      NodeStatus now = e.getValue();
      if (now.state() != NodeState.FENCED || now.confirmation() == null
          || now.confirmation().kind() != ConfirmKind.WATCHDOG) {
        continue;
      }
      if (was != null && was.state() == NodeState.FENCED && now.confirmation().equals(was.confirmation())) continue;
      Boolean had = fencedWriterHadWatchdog.getOrDefault(e.getKey(), new TreeMap<>()).get(now.generation());
      if (had == null || !had) {
        fail("4 (watchdog confirmation)", e.getKey() + " confirmed fenced by watchdog (generation "
            + now.generation() + ") but the incarnation that wrote the fenced record had no working watchdog");
      }
    }
  }

  /**
   * Invariant 4, the watchdog premise: a lease fence of a watchdog-protected node finds it running nothing. A node
   * whose device does not count (released for the cluster's disarm) is not protected: its fence write is allowed
   * (DESIGN "HA disarm": it stays in fencing until power, kdump or an operator confirms), and every confirmation is
   * still checked against what it runs.
   */
  private void invariant4WatchdogConfirmation(String node) {
    if (!world.node(node).watchdogEnabled() || !world.node(node).watchdogCounting()) return;
    ManagerState ms = world.managerState();
    for (String id : world.runningOn(node)) {
      ServiceStatus ss = ms == null ? null : ms.services().get(id);
      if (ss != null && ss.state() == ServiceState.IGNORED) continue;
      if (overlap.frozenCover(id, node)) continue; // its watchdog was frozen within the last L
      fail("4 (watchdog confirmation)", node + " fenced by its lease while it still runs " + id
          + ": the watchdog did not reset it in time");
    }
  }

  // ---- 5: liveness -----------------------------------------------------------------------------------------------

  /** Invariant 5, after faults healed (see {@link Liveness}): null when it holds, else the facts. */
  public String invariant5Liveness() {
    return Liveness.check(world);
  }

  // ---- 6: no false fencing ---------------------------------------------------------------------------------------

  /** Invariant 6: a node that kept store access and its agent running for longer than the lease is never fenced. */
  /** A manager lease is taken over only by a node the configuration lets be manager (not agent_only). */
  private void managerCandidate(palisade.core.ManagerLease lease) {
    if (world.config().managerCandidate(lease.holder())) return;
    fail("manager candidates", lease.holder() + " took the lease over (epoch " + lease.epoch() + ") while agent_only");
  }

  private void invariant6NoFalseFencing(String node) {
    SimNode n = world.node(node);
    Timing t = world.timing();
    double rate = 1.0 + t.driftPpm() / 1_000_000.0;
    long window = (long) ((t.leaseMs() + 2 * t.renewMs() + 2 * t.ackMs()) * rate) + 100;
    if (n.healthySinceMs() != Long.MAX_VALUE && world.now() - n.healthySinceMs() >= window) {
      fail("6 (no false fencing)", node + " fenced although it kept store access and its agent for "
          + (world.now() - n.healthySinceMs()) + "ms");
    }
  }

  // ---- 7: placement rules ----------------------------------------------------------------------------------------

  /**
   * Notes when a node enters maintenance: from then on nothing newly placed may start there. A resource that was on
   * it then and has stayed assigned to it without a break (its move away failed, or had nowhere to go) was not placed
   * there: the manager may renew its token in place (a failed live migration does) and the node may restart it
   * after a reset.
   */
  private void trackMaintenance(ManagerState before, ManagerState after) {
    for (var e : after.nodes().entrySet()) {
      String n = e.getKey();
      NodeStatus was = before == null ? null : before.nodes().get(n);
      boolean in = e.getValue().state() == NodeState.MAINTENANCE;
      boolean wasIn = was != null && was.state() == NodeState.MAINTENANCE;
      if (in && !wasIn) {
        maintenanceFromToken.put(n, before == null ? 0 : before.nextToken());
        TreeSet<String> here = new TreeSet<>();
        for (var s : after.services().entrySet()) {
          if (resident(s.getValue(), n)) here.add(s.getKey());
        }
        maintenanceResidents.put(n, here);
      }
      if (!in) {
        maintenanceFromToken.remove(n);
        maintenanceResidents.remove(n);
      } else {
        maintenanceResidents.get(n).removeIf(id -> !resident(after.services().get(id), n));
      }
    }
  }

  /** Is ss assigned to run on node (not merely recorded there stopped)? */
  private static boolean resident(ServiceStatus ss, String node) {
    if (ss == null || !node.equals(ss.node())) return false;
    return switch (ss.state()) {
      case STARTED, MIGRATE, RELOCATE, FREEZE, REQUEST_STOP, FENCE, ERROR -> true;
      case REQUEST_START, STOPPED, DISABLED, RECOVERY, IGNORED -> false;
    };
  }

  /**
   * Invariant 7, when a resource physically starts on node: no node in maintenance receives a resource placed
   * there after it entered maintenance, and a restricted group's resource runs only on its group's nodes. (Standby
   * nodes and affinity rules do not exist yet.)
   */
  private void invariant7Placement(String id, String node, long token) {
    Long from = maintenanceFromToken.get(node);
    if (from != null && token >= from && !maintenanceResidents.get(node).contains(id)) {
      fail("7 (placement)", id + " starts on " + node + " under token " + token + ", placed while " + node
          + " is in maintenance");
    }
    ResourceConfig rc = world.config().resources().get(id);
    GroupConfig g = rc == null || rc.group() == null ? null : world.config().groups().get(rc.group());
    if (g != null && g.restricted() && !g.nodes().containsKey(node)) {
      fail("7 (placement)", id + " starts on " + node + " outside its restricted group " + g.name() + " ("
          + String.join(", ", g.nodes().keySet()) + ")");
    }
    invariant7Rules(id, node);
  }

  /**
   * Invariant 7 for rules: a resource starts only on a node its strict node-affinity rule allows, and never where a
   * resource a negative rule keeps from it physically runs.
   */
  private void invariant7Rules(String id, String node) {
    for (Rule r : world.config().placement().rules().values()) {
      if (!r.resources().contains(id)) continue;
      if (r.kind() == Rule.Kind.NODE_AFFINITY && r.strict() && !r.nodes().containsKey(node)) {
        fail("7 (placement)", id + " starts on " + node + " outside its strict node-affinity rule " + r.name()
            + " (" + String.join(", ", r.nodes().keySet()) + ")");
      }
      if (r.kind() != Rule.Kind.NEGATIVE) continue;
      for (String other : r.resources()) {
        if (!other.equals(id) && world.whereRunning(other).containsKey(node)) {
          fail("7 (placement)", id + " starts on " + node + " where " + other + " runs, which negative rule "
              + r.name() + " keeps apart from it");
        }
      }
    }
  }
}
