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
  private int deferred;

  StatusBudget(int limit) {
    if (limit < 1) throw new ConfigException("status budget: " + limit + " must be at least 1");
    this.limit = limit;
  }

  /** This round changed as many statuses as one write may carry: further resource steps wait. */
  boolean spent(Working w) {
    return w.touched().size() >= limit;
  }

  /** The steps a round left for the next one; told once per round that deferred any. */
  void deferred(Working w, int steps) {
    deferred = steps;
    if (steps > 0) {
      w.event(steps + " resource step" + (steps == 1 ? "" : "s") + " deferred to the next write (" + w.touched().size()
          + " statuses changed, budget " + limit + ")");
    }
  }

  /** Steps the last stepping round deferred. */
  int lastDeferred() {
    return deferred;
  }

  int limit() {
    return limit;
  }
}
