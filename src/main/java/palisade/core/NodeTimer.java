package palisade.core;

/**
 * When (on the manager's own clock) it last saw a node write its record, which counter it wrote, and the record's
 * current version (what a fence compare-and-set must name). Only the node's own writes bump the counter: the
 * manager's fence write changes the version but is not a sign of life.
 */
record NodeTimer(long version, long counter, long changedAtMs, boolean heard) {
  /** A timer started at now: this manager has not heard the node write yet. */
  static NodeTimer start(long version, long counter, long nowMs) {
    return new NodeTimer(version, counter, nowMs, false);
  }

  long silentMs(long nowMs) {
    return nowMs - changedAtMs;
  }

  /** The timer after seeing the record at version (absent: counter -1). */
  NodeTimer seen(long newVersion, long newCounter, long nowMs) {
    if (newCounter != counter) return new NodeTimer(newVersion, newCounter, nowMs, true);
    return newVersion == version ? this : new NodeTimer(newVersion, counter, changedAtMs, heard);
  }
}
