package palisade.core;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The cluster's HA mode (Proxmox's disarm-ha), kept in the manager's state. Armed is the normal life; an operator's
 * disarm releases every agent's watchdog for a cluster-wide upgrade, and an arm takes it back. While the mode is not
 * {@link #managing()} the manager fences nothing and recovers nothing: no watchdog proves a death.
 *
 * @param phase where the cluster is in the disarm / arm cycle
 * @param kind what a disarm does to resources (null only while armed with no disarm requested)
 */
public record HaMode(Phase phase, Kind kind) {
  /** The normal mode: watchdogs armed, the manager fences and recovers. */
  public static final HaMode ARMED = new HaMode(Phase.ARMED, null);

  /** What a disarm does to the resources. */
  public enum Kind {
    /** Every managed resource is frozen where it is: HA starts, stops and moves nothing. */
    FREEZE,
    /** Resources are left unmanaged (like the resource state ignored, cluster-wide and reversible). */
    IGNORE;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The CLI's and the scenario grammar's word; null when it is neither. */
    public static Kind parse(String text) {
      for (Kind k : values()) {
        if (k.label().equals(text)) return k;
      }
      return null;
    }
  }

  /** The phases, in the order a disarm and an arm go through them; predecessors in one table. */
  public enum Phase {
    /** Normal: watchdogs armed where needed, fencing and recovery on. */
    ARMED,
    /** A disarm was asked for; the manager still manages until no node is fencing and nothing is mid-move. */
    DISARM_REQUESTED,
    /**
     * A freeze disarm with more resources to freeze than one state write may change: the manager freezes them over
     * several writes, fencing and recovering nothing; agents keep their watchdogs and treat every resource as frozen.
     */
    FREEZING,
    /** Agents release their watchdogs; the manager fences and recovers nothing from now on. */
    DISARMING,
    /** Every reachable agent released its watchdog. */
    DISARMED,
    /** Agents re-arm their watchdogs; once every reachable one has, every node's timer restarts and HA resumes. */
    ARMING;

    Set<Phase> predecessors() {
      return switch (this) {
        case ARMED -> EnumSet.of(ARMING, DISARM_REQUESTED);
        case DISARM_REQUESTED -> EnumSet.of(ARMED);
        case FREEZING -> EnumSet.of(ARMED, DISARM_REQUESTED);
        case DISARMING -> EnumSet.of(ARMED, DISARM_REQUESTED, FREEZING);
        case DISARMED -> EnumSet.of(DISARMING);
        case ARMING -> EnumSet.of(FREEZING, DISARMING, DISARMED);
      };
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  public HaMode {
    Check.that(phase != null, "HA mode without a phase");
    Check.that((kind == null) == (phase == Phase.ARMED), "HA mode %s with kind %s", phase, kind);
  }

  /** Fencing, recovery and placement run: the cluster is armed (a requested disarm has not begun yet). */
  public boolean managing() {
    return phase == Phase.ARMED || phase == Phase.DISARM_REQUESTED;
  }

  /** Agents must release their watchdogs: the cluster is disarming or disarmed. */
  public boolean releasing() {
    return phase == Phase.DISARMING || phase == Phase.DISARMED;
  }

  /** The operator's word for it: {@code armed}, {@code disarming (freeze)}, {@code disarmed (ignore)}. */
  public String label() {
    return switch (phase) {
      case ARMED -> "armed";
      case DISARM_REQUESTED -> "armed (disarm " + kind.label() + " requested)";
      case FREEZING, DISARMING, DISARMED, ARMING -> phase.label() + " (" + kind.label() + ")";
    };
  }

  /**
   * Nodes the cluster waits for, as an operator reads the store: online (or in maintenance) nodes whose agent's
   * record does not yet say what the phase asks (released while disarming, re-armed while arming). Empty in the
   * other phases. The manager decides on the nodes it hears renew; this is the same rule on the manager's node states.
   */
  public static java.util.SortedSet<String> waitingFor(ManagerState ms, java.util.Map<String, NodeRecord> records) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    if (ms == null) return out;
    Phase p = ms.ha().phase();
    if (p != Phase.DISARMING && p != Phase.ARMING) return out;
    for (var e : ms.nodes().entrySet()) {
      NodeState st = e.getValue().state();
      NodeRecord rec = records.get(e.getKey());
      if (st != NodeState.ONLINE && st != NodeState.MAINTENANCE || rec == null || rec.fenced() || rec.mode().down()) {
        continue;
      }
      if (rec.released() != (p == Phase.DISARMING)) out.add(e.getKey());
    }
    return out;
  }

  /** The same mode in another phase (the kind is kept until the cluster is armed again). */
  HaMode to(Phase next) {
    return to(next, kind);
  }

  /** The mode in another phase with the disarm's kind (null for armed). */
  HaMode to(Phase next, Kind newKind) {
    Check.that(next.predecessors().contains(phase), "HA mode: illegal transition %s -> %s", phase, next);
    return next == Phase.ARMED ? ARMED : new HaMode(next, newKind);
  }
}
