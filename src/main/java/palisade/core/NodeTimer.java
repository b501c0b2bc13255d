package palisade.core;

/**
 * When (on the manager's own clock) it last saw a node write its record, which counter it wrote, and the record's
 * current version (what a fence compare-and-set must name). Only the node's own writes bump the counter: the
 * manager's fence write changes the version but is not a sign of life.
 */
record NodeTimer(long version, long counter, long changedAtMs, boolean heard, long holdMs) {
  /** A timer started at now: this manager has not heard the node write yet. */
  static NodeTimer start(long version, NodeRecord rec, long nowMs) {
    return new NodeTimer(version, rec == null ? -1 : rec.counter(), nowMs, false, rec == null ? 0 : rec.holdMs());
  }

  /** The cluster was armed again after a disarm: a full L from now, as for a manager that never watched it. */
  NodeTimer restart(NodeRecord rec, long nowMs) {
    return start(version, rec, nowMs);
  }

  long silentMs(long nowMs) {
    return nowMs - changedAtMs;
  }

  /**
   * How long this record must stay silent before the node counts as dead: L, or L_H for a record that carries a
   * restart hold (its daemon stopped for a restart; its watchdog fires within H of the write, not W).
   */
  long boundMs(Timing timing) {
    return holdMs == 0 ? timing.leaseMs() : timing.holdLeaseMs(holdMs);
  }

  /** The timer after seeing rec (null: absent) at version; the hold is always the one of the version seen. */
  NodeTimer seen(long newVersion, NodeRecord rec, long nowMs) {
    long newCounter = rec == null ? -1 : rec.counter();
    long newHold = rec == null ? 0 : rec.holdMs();
    if (newCounter != counter) return new NodeTimer(newVersion, newCounter, nowMs, true, newHold);
    return newVersion == version ? this : new NodeTimer(newVersion, counter, changedAtMs, heard, newHold);
  }
}
