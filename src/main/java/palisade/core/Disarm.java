package palisade.core;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * The manager's side of HA disarm (Proxmox's disarm-ha / arm-ha; DESIGN "HA disarm"). An operator's disarm is
 * requested first and begins only once no node is fencing and nothing is mid-move; from then on the manager fences
 * nothing and recovers nothing, each agent releases its watchdog and says so in its record, and the cluster is
 * disarmed once every reachable agent has. An arm has the agents re-arm first; once every reachable one has, every
 * node's timer restarts at now (a full L, as after a manager change) and management resumes.
 *
 * <p>Every change of the mode goes through {@link Working#setHa}. The checks here are the always-on half of the
 * promise: the manager never issues a fence or a recovery while it is not managing.
 */
final class Disarm {
  private Disarm() {}

  /** Operator commands that are the disarm's own. */
  static boolean handles(Command c) {
    return c instanceof Command.Disarm || c instanceof Command.Arm;
  }

  /**
   * An operator command as HA mode sees it: a disarm or an arm is applied here; any other command that would have
   * HA start, stop or move something is refused while the cluster is not managed. Why it was refused, or null.
   */
  static String command(Working w, Command c) {
    HaMode ha = w.ha();
    if (c instanceof Command.Disarm d) {
      if (ha.phase() != HaMode.Phase.ARMED) return "the cluster is " + ha.label() + ": disarm it only once armed";
      String waits = blocker(w);
      if (waits == null) {
        begin(w, ha, d.kind(), "operator: disarm " + d.kind().label());
      } else {
        w.setHa(ha.to(HaMode.Phase.DISARM_REQUESTED, d.kind()), "operator: disarm " + d.kind().label()
            + "; waits while " + waits);
      }
      return null;
    }
    if (c instanceof Command.Arm) {
      return switch (ha.phase()) {
        case ARMED -> "the cluster is armed already";
        case ARMING -> "the cluster is arming already";
        case DISARM_REQUESTED -> {
          w.setHa(ha.to(HaMode.Phase.ARMED), "operator: arm, before the disarm began");
          yield null;
        }
        case DISARMING, DISARMED -> {
          w.setHa(ha.to(HaMode.Phase.ARMING), "operator: arm; agents re-arm their watchdogs first");
          yield null;
        }
      };
    }
    if (ha.managing() || c instanceof Command.FenceConfirm) return null;
    return "the cluster is " + ha.label() + ": HA starts, stops and moves nothing until `cluster arm`";
  }

  /**
   * One round's step of the mode, after the node states. When the cluster has just been armed again, every node's
   * timer (the manager's own, in timers) restarts at now: a full L before any silence can mean a death.
   */
  static void step(Working w, SortedMap<String, NodeRecord> records, SortedMap<String, NodeTimer> timers,
      Timing timing, long nowMs) {
    HaMode ha = w.ha();
    if (ha.phase() == HaMode.Phase.ARMED || ha.phase() == HaMode.Phase.DISARMED) return; // nothing to wait for
    TreeSet<String> live = new TreeSet<>();
    for (var e : timers.entrySet()) {
      if (e.getValue().silentMs(nowMs) < timing.unknownAfterMs()) live.add(e.getKey());
    }
    switch (ha.phase()) {
      case ARMED, DISARMED -> { }
      case DISARM_REQUESTED -> {
        if (blocker(w) == null) begin(w, ha, ha.kind(), "nothing is fencing or moving any more");
      }
      case DISARMING -> {
        if (waiting(w, records, live, true).isEmpty()) {
          w.setHa(ha.to(HaMode.Phase.DISARMED), "every reachable agent released its watchdog");
        }
      }
      case ARMING -> {
        if (!waiting(w, records, live, false).isEmpty()) return;
        w.setHa(ha.to(HaMode.Phase.ARMED), "every reachable agent re-armed its watchdog; every node's timer "
            + "restarts: a full lease_timeout from now");
        timers.replaceAll((n, t) -> t.restart(nowMs));
      }
    }
  }

  /** The disarm begins: soft-fence orders close, and under freeze every placed resource is frozen where it is. */
  private static void begin(Working w, HaMode ha, HaMode.Kind kind, String why) {
    w.setHa(ha.to(HaMode.Phase.DISARMING, kind), why + ": agents release their watchdogs; the manager fences and "
        + "recovers nothing");
    for (String n : List.copyOf(w.softFences.keySet())) {
      w.setSoftFence(n, null, "soft fence order " + w.softFences.get(n).attempt() + " closed: the cluster is "
          + "disarming");
    }
    if (kind != HaMode.Kind.FREEZE) return;
    for (var e : List.copyOf(w.services.entrySet())) {
      ServiceState s = e.getValue().state();
      if (s == ServiceState.STARTED || s == ServiceState.REQUEST_STOP) {
        w.setService(e.getKey(), e.getValue().with(ServiceState.FREEZE), "disarm freeze: frozen on "
            + e.getValue().node());
      }
    }
  }

  /** What a disarm waits for, or null: a node fencing, a fence order standing, a resource fenced or mid-move. */
  static String blocker(Working w) {
    for (var e : w.nodes.entrySet()) {
      if (e.getValue().state() == NodeState.FENCING) return e.getKey() + " is fencing";
    }
    if (!w.fencing.isEmpty()) return "a fence order for " + w.fencing.firstKey() + " stands";
    for (var e : w.services.entrySet()) {
      switch (e.getValue().state()) {
        case FENCE, MIGRATE, RELOCATE -> {
          return e.getKey() + " is in " + e.getValue().state().label();
        }
        case REQUEST_START, STARTED, REQUEST_STOP, STOPPED, DISABLED, RECOVERY, FREEZE, ERROR, IGNORED -> { }
      }
    }
    return null;
  }

  /**
   * Reachable nodes whose agents have not yet reported what the phase asks: released (disarming) or re-armed
   * (arming). Reachable: online or in maintenance, neither fenced nor down, and live (its record changed within the
   * unknown bound on this manager's clock; a manager that has just taken over counts every node live until that
   * bound passed, so it waits for them rather than declaring the cluster disarmed before it heard anyone). A node
   * that is not reachable does not hold the cluster up; its record keeps saying released, so no watchdog
   * confirmation can rest on it (DESIGN "HA disarm").
   */
  static TreeSet<String> waiting(Working w, SortedMap<String, NodeRecord> records, Set<String> live,
      boolean release) {
    TreeSet<String> out = new TreeSet<>();
    for (var e : w.nodes.entrySet()) {
      String n = e.getKey();
      if (!live.contains(n)) continue;
      NodeRecord rec = records.get(n);
      NodeState st = e.getValue().state();
      if (rec == null || rec.fenced() || rec.mode().down()) continue;
      if (st != NodeState.ONLINE && st != NodeState.MAINTENANCE) continue;
      if (rec.released() != release) out.add(n);
    }
    return out;
  }

  /** Invariant "disarm": no node is moved to fencing and no fence order issued while the cluster is not managed. */
  static void checkNoFence(HaMode ha, boolean notAFence, String node) {
    Check.that(notAFence || ha.managing(), "invariant disarm: %s fenced while the cluster is %s", node, ha.label());
  }

  /** Invariant "disarm": no resource enters or leaves fence or recovery while the cluster is not managed. */
  static void checkNoRecovery(HaMode ha, ServiceStatus from, ServiceStatus to, String id) {
    if (ha.managing() || from == null || from.state() == to.state()) return;
    Check.that(!fenceOrRecovery(from.state()) && !fenceOrRecovery(to.state()),
        "invariant disarm: %s %s -> %s while the cluster is %s", id, from.state().label(), to.state().label(),
        ha.label());
  }

  private static boolean fenceOrRecovery(ServiceState s) {
    return s == ServiceState.FENCE || s == ServiceState.RECOVERY;
  }
}
