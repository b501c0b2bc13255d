package palisade.core;

/**
 * How many resource statuses and disk leases one state write may change ({@link Manager#statusBudget}). The store
 * refuses a transaction over its size bound whole, so a round that would change more steps resources in recovery
 * order until this many entries changed and leaves the rest as they were: not looked at this round, exactly as a
 * quiet round leaves a resource, and stepped in the next round (DESIGN "Large recoveries"). Disk leases count: a
 * recovery of 1,000 resources with two disks each moves 2,000 leases beside the 1,000 statuses, which together
 * passed the store's transaction bound, and a refused write is retried unchanged, for ever.
 */
public final class StatusBudget {
  /**
   * Keeps a state write below the store's transaction bound (500 KB): a changed status or lease is about 210 bytes,
   * but in store layout 3 a status that gains a target also writes its copy under the target, and one that changes
   * node is deleted in one group and created in another: up to about 550 bytes with 20-character names.
   */
  public static final int DEFAULT = 800;

  private final int limit;
  private boolean full;

  StatusBudget(int limit) {
    if (limit < 1) throw new ConfigException("status budget: " + limit + " must be at least 1");
    this.limit = limit;
  }

  /** This round changed as many statuses as one write may carry: further resource steps wait. */
  boolean spent(Working w) {
    return used(w) >= limit;
  }

  /** How many more statuses (or disk leases) this round's write may change. */
  int room(Working w) {
    return Math.max(0, limit - used(w));
  }

  private static int used(Working w) {
    return w.touched().size() + w.disksTouched();
  }

  /**
   * After stepping: tells when this write is full, so the steps after it wait. Whether it is full does not depend
   * on which quiet resources were skipped (they change nothing), so stepping all or skipping tells the same.
   */
  void stepped(Working w) {
    full = spent(w);
    if (full) {
      int d = w.disksTouched();
      String leases = d == 0 ? "" : " and " + d + (d == 1 ? " disk lease" : " disk leases");
      w.event("status budget reached: " + w.touched().size() + " statuses" + leases + " changed in this write (at "
          + "most " + limit + "), further resource steps wait for the next");
    }
  }

  /** The last stepping round filled its write: resources may be left to step, so the next round is not quiet. */
  boolean full() {
    return full;
  }
}
