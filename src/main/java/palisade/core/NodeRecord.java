package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A node's lease and status, one store record written by the node's agent with a compare-and-set every renewal.
 * The manager fences the node by writing it with {@code fenced} set and the generation bumped: every later
 * renewal by the old incarnation fails on the version.
 *
 * @param generation bumped by each fence; the agent acknowledges it when it rejoins
 * @param fenced set by the manager's fence write, cleared by the agent's rejoin
 * @param counter bumped by each agent write: the manager watches it change
 * @param armed the node's watchdog is armed: it may receive a resource by live migration
 * @param inTime its renewals are acknowledged within X: it can arm its watchdog and host HA resources
 * @param spmReleased the highest SPM token this node gave back at the manager's request (0: none)
 * @param watchdog the kind of watchdog the writing agent really has ({@link Watchdog#kind()}; null: no claim, as in
 *     a record the manager fenced before any agent wrote one)
 * @param timing the timings the writing agent runs under (its R, X, W; null: no claim). With a real watchdog kind and
 *     the manager's own timings this is what a watchdog confirmation rests on ({@link #watchdogProtects}).
 * @param holdMs H of a restart hold: the daemon stopped for a restart and its watchdog fires only H after the ack of
 *     this write (or sooner); the manager waits {@link Timing#holdLeaseMs} rather than L for this record. A new
 *     daemon keeps the hold in its writes until it has armed its watchdog at W again. 0: no hold.
 * @param released the agent released its watchdog for the cluster's disarm (DESIGN "HA disarm"): what runs here may
 *     run unprotected, so a fence of this version is never confirmed by watchdog. Written before the release, and
 *     cleared only after the watchdog is armed again.
 */
public record NodeRecord(String node, long generation, boolean fenced, long counter, AgentMode mode,
    SortedMap<String, ResourceResult> results, boolean armed, boolean inTime, long spmReleased, String watchdog,
    Timing timing, long holdMs, boolean released) {

  public NodeRecord {
    Check.that(generation >= 0 && counter >= 0, "node record %s: negative generation or counter", node);
    Check.that(holdMs >= 0 && holdMs <= Timing.MAX_RESTART_HOLD_MS, "node record %s: restart hold %sms out of range",
        node, holdMs);
    results = FrozenSortedMap.of(results); // shared by renewals that carry the same results on
  }

  /** A record with no disarm claim (released false). */
  public NodeRecord(String node, long generation, boolean fenced, long counter, AgentMode mode,
      SortedMap<String, ResourceResult> results, boolean armed, boolean inTime, long spmReleased, String watchdog,
      Timing timing, long holdMs) {
    this(node, generation, fenced, counter, mode, results, armed, inTime, spmReleased, watchdog, timing, holdMs,
        false);
  }

  /** A record nobody has claimed anything in: what the manager fences when it never saw the node's record. */
  public static NodeRecord fresh(String node) {
    return fresh(node, null, null);
  }

  /** An agent's first record: it claims the watchdog kind it has and the timings it runs under. */
  public static NodeRecord fresh(String node, String watchdog, Timing timing) {
    return new NodeRecord(node, 0, false, 0, AgentMode.ACTIVE, new TreeMap<>(), false, true, 0, watchdog, timing,
        0);
  }

  /** The manager's fence write: a new generation no renewal of the old one can overwrite. It keeps the claims. */
  public NodeRecord fence() {
    return new NodeRecord(node, generation + 1, true, counter, mode, results, false, false, spmReleased, watchdog,
        timing, holdMs, released);
  }

  /** The same record, claiming what the writing agent has: its watchdog kind and its timings. */
  public NodeRecord under(String watchdogKind, Timing agentTiming) {
    return new NodeRecord(node, generation, fenced, counter, mode, results, armed, inTime, spmReleased, watchdogKind,
        agentTiming, holdMs, released);
  }

  /** The same record with a restart hold of holdMs (0: none). */
  public NodeRecord held(long newHoldMs) {
    return new NodeRecord(node, generation, fenced, counter, mode, results, armed, inTime, spmReleased, watchdog,
        timing, newHoldMs, released);
  }

  /** The same record saying whether the agent has released its watchdog for a disarm. */
  public NodeRecord releasedAs(boolean nowReleased) {
    return new NodeRecord(node, generation, fenced, counter, mode, results, armed, inTime, spmReleased, watchdog,
        timing, holdMs, nowReleased);
  }

  /**
   * Whether this record, as the version a fence write named, proves the writer would have been reset in time: it
   * names a real watchdog and the lease timings (R, X, W, L, ρ) of reference, the manager's own. The host's tick is
   * local and takes no part in the inequality.
   */
  public boolean watchdogProtects(Timing reference) {
    return !released && watchdog != null && !watchdog.equals(Watchdog.NONE) && timing != null
        && sameTerms(timing, reference);
  }

  /** Equal R, X, W, L and ρ: the terms of the safety inequality. */
  public static boolean sameTerms(Timing a, Timing b) {
    return a.renewMs() == b.renewMs() && a.ackMs() == b.ackMs() && a.watchdogMs() == b.watchdogMs()
        && a.leaseMs() == b.leaseMs() && a.driftPpm() == b.driftPpm();
  }

  public NodeRecord renewed(AgentMode newMode, SortedMap<String, ResourceResult> newResults, boolean nowArmed,
      boolean renewingInTime, long releasedSpm) {
    Check.that(releasedSpm >= spmReleased, "node %s: released SPM token went back from %s to %s", node, spmReleased,
        releasedSpm);
    return new NodeRecord(node, generation, fenced, counter + 1, newMode, newResults, nowArmed, renewingInTime,
        releasedSpm, watchdog, timing, holdMs, released);
  }

  /** The agent's rejoin after a fence: it acknowledges the generation with nothing running. */
  public NodeRecord rejoined() {
    Check.that(fenced, "node %s rejoins without being fenced", node);
    return new NodeRecord(node, generation, false, counter + 1, AgentMode.ACTIVE, new TreeMap<>(), false, true,
        spmReleased, watchdog, timing, holdMs, released);
  }
}
