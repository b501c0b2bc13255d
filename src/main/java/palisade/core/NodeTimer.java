package palisade.core;

/**
 * When (on the manager's own clock) it last saw a node write its record, which counter it wrote, and the record's
 * current version (what a fence compare-and-set must name). Only the node's own writes bump the counter: the
 * manager's fence write changes the version but is not a sign of life.
 *
 * @param armedLateMs how much later than the last change the cluster was armed again after an HA disarm (0: not
 *     since the last change): the node's silence counts towards a fence only from the arm, while it still counts
 *     from the last change for online and unknown (a silent node stays unknown, it is not back)
 */
record NodeTimer(long version, long counter, long changedAtMs, boolean heard, long holdMs, Timing claim,
    long armedLateMs) {
  NodeTimer(long version, long counter, long changedAtMs, boolean heard, long holdMs, Timing claim) {
    this(version, counter, changedAtMs, heard, holdMs, claim, 0);
  }

  /** A timer started at now: this manager has not heard the node write yet. */
  static NodeTimer start(long version, NodeRecord rec, long nowMs) {
    return new NodeTimer(version, rec == null ? -1 : rec.counter(), nowMs, false, rec == null ? 0 : rec.holdMs(),
        rec == null ? null : rec.timing());
  }

  /** The cluster was armed again after a disarm: a full L from now before a fence, as after a manager change. */
  NodeTimer restart(long nowMs) {
    return new NodeTimer(version, counter, changedAtMs, heard, holdMs, claim, nowMs - changedAtMs);
  }

  long silentMs(long nowMs) {
    return nowMs - changedAtMs;
  }

  /**
   * How long this record must stay silent before the node counts as dead: L, or L_H for a record that carries a
   * restart hold (its daemon stopped for a restart; its watchdog fires within H of the write, not W).
   */
  long boundMs(Timing timing) {
    long bound = (holdMs == 0 ? timing.leaseMs() : timing.holdLeaseMs(holdMs)) + armedLateMs;
    // A record claiming other timings (a live change under way, DESIGN "Changing timings live") is waited for as
    // long as its claim needs, whatever this manager's L: the fence names this very version.
    if (claim == null || NodeRecord.sameTerms(claim, timing)) return bound;
    return Math.max(bound, TimingChange.needMs(claim, timing) + armedLateMs);
  }

  /** The timer after seeing rec (null: absent) at version; the hold is always the one of the version seen. */
  NodeTimer seen(long newVersion, NodeRecord rec, long nowMs) {
    long newCounter = rec == null ? -1 : rec.counter();
    long newHold = rec == null ? 0 : rec.holdMs();
    Timing newClaim = rec == null ? null : rec.timing();
    if (newCounter != counter) return new NodeTimer(newVersion, newCounter, nowMs, true, newHold, newClaim);
    return newVersion == version ? this : new NodeTimer(newVersion, counter, changedAtMs, heard, newHold, newClaim,
        armedLateMs);
  }
}
