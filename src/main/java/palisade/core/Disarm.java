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
        case FREEZING -> {
          w.setHa(ha.to(HaMode.Phase.ARMING), "operator: arm, before every resource was frozen; no agent released "
              + "its watchdog for this disarm");
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
      case FREEZING -> {
        if (freeze(w)) {
          w.setHa(ha.to(HaMode.Phase.DISARMING), "every resource is frozen: agents release their watchdogs; the "
              + "manager fences and recovers nothing");
        }
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

  /**
   * The disarm begins: soft-fence orders close, and under freeze every placed resource is frozen where it is. When
   * more resources are to be frozen than this write may still change (its status budget), the cluster is freezing
   * first: the rest are frozen in the next writes, and agents release their watchdogs only once all are (DESIGN
   * "HA disarm").
   */
  private static void begin(Working w, HaMode ha, HaMode.Kind kind, String why) {
    if (kind == HaMode.Kind.FREEZE && unfrozen(w.services) > w.budget().room(w)) {
      w.setHa(ha.to(HaMode.Phase.FREEZING, kind), why + ": resources are frozen over several writes before agents "
          + "release their watchdogs; the manager fences and recovers nothing");
    } else {
      w.setHa(ha.to(HaMode.Phase.DISARMING, kind), why + ": agents release their watchdogs; the manager fences and "
          + "recovers nothing");
    }
    for (String n : List.copyOf(w.softFences.keySet())) {
      w.setSoftFence(n, null, "soft fence order " + w.softFences.get(n).attempt() + " closed: the cluster is "
          + "disarming");
    }
    if (kind == HaMode.Kind.FREEZE) freeze(w);
  }

  /**
   * Freezes started and stopping resources, in id order, as far as this write's status budget allows. True when none
   * is left unfrozen.
   */
  private static boolean freeze(Working w) {
    int frozen = 0;
    for (var e : List.copyOf(w.services.entrySet())) {
      if (!frozenByDisarm(e.getValue().state())) continue;
      if (w.budget().spent(w)) {
        // Told once, by the pass that filled the write; the next round, chained on its commit, goes on.
        if (frozen > 0) w.budget().stepped(w);
        return false;
      }
      frozen++;
      w.setService(e.getKey(), e.getValue().with(ServiceState.FREEZE), "disarm freeze: frozen on "
          + e.getValue().node());
    }
    return true;
  }

  /** A freeze disarm freezes these: what runs, or is being stopped, under management. */
  static boolean frozenByDisarm(ServiceState s) {
    return s == ServiceState.STARTED || s == ServiceState.REQUEST_STOP;
  }

  /** How many resources a freeze disarm still has to freeze. */
  static int unfrozen(java.util.Map<String, ServiceStatus> services) {
    int n = 0;
    for (ServiceStatus ss : services.values()) {
      if (frozenByDisarm(ss.state())) n++;
    }
    return n;
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

  /**
   * Invariant "disarm", freeze: agents release their watchdogs only once every resource is frozen, so while a freeze
   * disarm is disarming or disarmed no resource is started or stopping (checked where the phase is entered, and on
   * every status written in it).
   */
  static void checkFrozen(HaMode ha, java.util.Map<String, ServiceStatus> services, ServiceStatus to, String id) {
    if (!ha.releasing() || ha.kind() != HaMode.Kind.FREEZE) return;
    if (to != null) {
      Check.that(!frozenByDisarm(to.state()), "invariant disarm: %s %s while the cluster is %s", id,
          to.state().label(), ha.label());
    } else {
      Check.that(unfrozen(services) == 0, "invariant disarm: the cluster is %s with %s resources not frozen",
          ha.label(), unfrozen(services));
    }
  }

  private static boolean fenceOrRecovery(ServiceState s) {
    return s == ServiceState.FENCE || s == ServiceState.RECOVERY;
  }
}
