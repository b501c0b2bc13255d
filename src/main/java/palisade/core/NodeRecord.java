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
 */
public record NodeRecord(String node, long generation, boolean fenced, long counter, AgentMode mode,
    SortedMap<String, ResourceResult> results, boolean armed, boolean inTime, long spmReleased) {

  public NodeRecord {
    Check.that(generation >= 0 && counter >= 0, "node record %s: negative generation or counter", node);
    results = Collections.unmodifiableSortedMap(new TreeMap<>(results));
  }

  public static NodeRecord fresh(String node) {
    return new NodeRecord(node, 0, false, 0, AgentMode.ACTIVE, new TreeMap<>(), false, true, 0);
  }

  /** The manager's fence write: a new generation no renewal of the old one can overwrite. */
  public NodeRecord fence() {
    return new NodeRecord(node, generation + 1, true, counter, mode, results, false, false, spmReleased);
  }

  public NodeRecord renewed(AgentMode newMode, SortedMap<String, ResourceResult> newResults, boolean nowArmed,
      boolean renewingInTime, long releasedSpm) {
    Check.that(releasedSpm >= spmReleased, "node %s: released SPM token went back from %s to %s", node, spmReleased,
        releasedSpm);
    return new NodeRecord(node, generation, fenced, counter + 1, newMode, newResults, nowArmed, renewingInTime,
        releasedSpm);
  }

  /** The agent's rejoin after a fence: it acknowledges the generation with nothing running. */
  public NodeRecord rejoined() {
    Check.that(fenced, "node %s rejoins without being fenced", node);
    return new NodeRecord(node, generation, false, counter + 1, AgentMode.ACTIVE, new TreeMap<>(), false, true,
        spmReleased);
  }
}
