package palisade.core;

/**
 * The manager's write in flight: one at a time, and when its answer counts as lost. It waits 2 R, or twice as long
 * as the last answered write took, at most L. A fixed 2 R was shorter than a large write's commit under load (about
 * 2 s at 50,000 resources): every decision went out twice, the second conflicting with the first, and doubled the
 * load on a store already slow.
 */
final class ManagerWrite {
  private long seq;
  private boolean pending;
  private long sentMs;
  /** How long the last answered write took, from sending to its answer. */
  private long lastTookMs;

  /** Sends txn now; done gets its answer, whenever it comes (a later write's answer does not clear this one). */
  void submit(StoreClient store, Txn txn, long nowMs, Callback<TxnResult> done) {
    long mine = ++seq;
    pending = true;
    sentMs = nowMs;
    store.submit(txn, (result, t) -> {
      lastTookMs = t - nowMs;
      if (mine == seq) pending = false;
      done.done(result, t);
    });
  }

  /** A write is out and its answer not yet counted lost: the caller waits. */
  boolean awaited(Timing timing, long nowMs) {
    return pending && nowMs - sentMs <= Math.min(timing.leaseMs(), Math.max(2 * timing.renewMs(), 2 * lastTookMs));
  }

  /** True once, for a write whose answer is now counted lost: the caller goes on from the view. */
  boolean lost(Timing timing, long nowMs) {
    if (!pending || awaited(timing, nowMs)) return false;
    pending = false;
    return true;
  }
}
