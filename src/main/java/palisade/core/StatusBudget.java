package palisade.core;

/**
 * How many resource statuses one state write may change ({@link Manager#statusBudget}). The store refuses a
 * transaction over its size bound whole, so a round that would change more steps resources in recovery order until
 * this many statuses changed and leaves the rest as they were: not looked at this round, exactly as a quiet round
 * leaves a resource, and stepped in the next round (DESIGN "Large recoveries").
 */
final class StatusBudget {
  /** Keeps a state write far below the store's transaction bound (about 210 bytes per changed status). */
  static final int DEFAULT = 1_000;

  private final int limit;
  private boolean full;

  StatusBudget(int limit) {
    if (limit < 1) throw new ConfigException("status budget: " + limit + " must be at least 1");
    this.limit = limit;
  }

  /** This round changed as many statuses as one write may carry: further resource steps wait. */
  boolean spent(Working w) {
    return w.touched().size() >= limit;
  }

  /** How many more statuses this round's write may change. */
  int room(Working w) {
    return Math.max(0, limit - w.touched().size());
  }

  /**
   * After stepping: tells when this write is full, so the steps after it wait. Whether it is full does not depend
   * on which quiet resources were skipped (they change nothing), so stepping all or skipping tells the same.
   */
  void stepped(Working w) {
    full = spent(w);
    if (full) {
      w.event("status budget reached: " + w.touched().size() + " statuses changed in this write (at most " + limit
          + "), further resource steps wait for the next");
    }
  }

  /** The last stepping round filled its write: resources may be left to step, so the next round is not quiet. */
  boolean full() {
    return full;
  }
}
