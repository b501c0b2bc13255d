package palisade.sim;

import palisade.core.Durations;

/**
 * A whole node frozen (`freeze NODE DURATION`, as when a hypervisor pauses the host's VM or its cgroup is frozen):
 * every process stops executing, the daemon, its watchdog supervisor and the resources alike. Unlike `pause` (the
 * agent alone) and `daemon NODE hang`, nothing of the node runs: no software event, no watchdog expiry, no storage
 * write, no answer from its store peer or SSH server. The frozen time does not count for its watchdog: a frozen
 * softdog or supervisor does not see the time pass, so on resume it goes on counting what was left.
 */
final class NodeFreeze {
  private boolean frozen;
  private long sinceMs;
  private long untilMs;
  /** Frozen time of finished freezes in this machine's life: what its watchdog never saw. */
  private long pastMs;
  /** Bumped by every freeze and every extension: a thaw scheduled for an earlier end does nothing. */
  private long episode;
  /** When its last freeze ended; Long.MIN_VALUE if it never resumed from one. */
  private long resumedMs = Long.MIN_VALUE;
  private boolean everFrozen;

  boolean frozen() {
    return frozen;
  }

  long untilMs() {
    return untilMs;
  }

  /** Whether the node froze at or after ms (its current freeze or a finished one). */
  boolean frozeSince(long ms) {
    return everFrozen && sinceMs >= ms;
  }

  /** When its last freeze ended (Long.MIN_VALUE if none did); frozen now counts as now. */
  long lastFrozenMs(long nowMs) {
    return frozen ? nowMs : resumedMs;
  }

  /** The time the node's own timers have seen pass up to nowMs: real time less the time it spent frozen. */
  long unfrozenMs(long nowMs) {
    return nowMs - pastMs - (frozen ? nowMs - sinceMs : 0);
  }

  /** A power loss or reset ends the freeze with the processes it held. */
  void clear() {
    if (frozen) episode++;
    frozen = false;
    pastMs = 0;
  }

  /** Freezes n for durationMs (a freeze of a frozen node extends it); resumes it at the end. */
  static void freeze(SimWorld world, SimNode n, long durationMs) {
    NodeFreeze f = n.freeze;
    if (!n.powered) return;
    long until = world.now() + durationMs;
    if (f.frozen && until <= f.untilMs) return;
    if (!f.frozen) {
      f.frozen = true;
      f.everFrozen = true;
      f.sinceMs = world.now();
    }
    f.untilMs = until;
    long ep = ++f.episode;
    world.log("world", n.name + ": frozen for " + Durations.format(durationMs)
        + " (every process, its watchdog too)");
    world.frozen(n, true);
    world.at(until, () -> {
      if (f.episode != ep || !f.frozen) return;
      f.pastMs += world.now() - f.sinceMs;
      f.frozen = false;
      f.resumedMs = world.now();
      world.log("world", n.name + ": resumes after a freeze of " + Durations.format(world.now() - f.sinceMs));
      world.frozen(n, false);
    });
  }
}
