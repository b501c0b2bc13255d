package palisade.sim;

import palisade.core.Versioned;

/**
 * Watches a world from outside the code under test: the invariant checkers and a scenario's interval expectations
 * plug in here, so the world itself knows nothing of what is checked. Each hook runs at the moment the physical
 * fact happens; a hook that finds a broken promise throws {@link Violation}.
 */
public interface WorldObserver {
  /** A resource physically starts (or arrives by migration) on node under token; not yet recorded as running. */
  default void onStart(String id, String node, long token) {}

  /**
   * A start its node's agent ordered before the node froze lands after it resumed (called just before its onStart):
   * the driver's process was frozen with the rest, and runs on as a resumed process.
   */
  default void onHeldStart(String id, String node, long token) {}

  /** A node is about to act as SPM under token. */
  default void onSpmActivate(String node, long token) {}

  /** A store write committed: path held before (null if absent) and now holds after. */
  default void onWrite(String path, Versioned<Object> before, Object after) {}

  /** A node freezes whole (on) or resumes (off): called before its resumed processes do anything. */
  default void onFreeze(String node, boolean on) {}

  /**
   * A write reached the shared storage: disk (or {@link SimStorage#METADATA}) from node for resource (the SPM's
   * metadata: {@link SimStorage#SPM_WRITER}) under token; accepted, or rejected as older than the newest seen.
   */
  default void onStorageWrite(String disk, String node, String resource, long token, boolean accepted) {}

  /** After every event of the world, once its effects are in place. */
  default void afterEvent() {}
}
