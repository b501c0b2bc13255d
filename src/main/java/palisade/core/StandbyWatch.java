package palisade.core;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A standby manager's own node timers: every standby tick with the store synced, it steps each configured node's
 * timer by the record its view shows, on its own monotonic clock, exactly as the active manager does each round
 * (DESIGN "The manager rule", node timers). On take-over the new manager keeps these timers instead of starting
 * every node's timer at now, so a node that fell silent together with the old manager is fenced about L after its
 * last renewal, not L after the manager lease lapsed.
 *
 * <p>Why that is safe: a timer claims "I saw this record version, and at every look since, the same counter". The
 * fence write is a compare-and-set at that version, so it commits only if no later renewal committed; the standby
 * saw the version after it committed, so after its renewal was sent; and it waits L on its own clock from that
 * sight. That is the inequality's step 3 word for word, whoever held the lease while the standby looked.
 *
 * <p>Timers are kept only across an unbroken watch, so they are never more than what an active manager on this
 * node would hold: looks at most {@link #maxGapMs} apart (2R + X, the silence of its own renewals after which an
 * active manager stops deciding), the store synced at each, and the cluster managing (from a disarm on, until the
 * standby sees it armed again, nothing is kept: the arm restarts every timer, and the standby's restart comes after
 * the arm committed, so it waits no less). A pause, a lost store session or an unsynced view is a gap: every timer
 * starts over, as at a take-over without a watch.
 */
final class StandbyWatch {
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  /** The standby's last unbroken look, on its own clock. */
  private long lastLookMs = Long.MIN_VALUE / 2;
  /** When the unbroken watch began, on the standby's own clock. */
  private long sinceMs;

  /** The longest time between two looks that still counts as watching: 2R + X. */
  static long maxGapMs(Timing timing) {
    return 2 * timing.renewMs() + timing.ackMs();
  }

  /** How long the unbroken watch has lasted at nowMs, on the standby's own clock. */
  long watchedMs(long nowMs) {
    return nowMs - sinceMs;
  }

  /** One standby look at nowMs: false (a gap in the watch) while the store's view is not synced. */
  boolean look(StoreClient store, Timing timing, long nowMs) {
    if (!store.synced()) {
      gap();
      return false;
    }
    look(store.view(), timing, nowMs);
    return true;
  }

  /** One standby look at a synced view at nowMs. */
  void look(StoreView view, Timing timing, long nowMs) {
    if (nowMs - lastLookMs > maxGapMs(timing)) { // a gap: what happened in it was not seen
      timers.clear();
      sinceMs = nowMs;
    }
    lastLookMs = nowMs;
    Versioned<ClusterConfig> cfg = view.get(StorePaths.CONFIG, ClusterConfig.class);
    Versioned<ManagerState> st = view.get(StorePaths.MANAGER_STATE, ManagerState.class);
    if (cfg == null || st == null || !st.value().ha().managing()) {
      timers.clear(); // nothing managed yet, or disarmed: the arm restarts every timer anyway
      sinceMs = nowMs;
      return;
    }
    timers.keySet().retainAll(cfg.value().nodes().keySet());
    for (String n : cfg.value().nodes().keySet()) {
      Versioned<NodeRecord> rec = view.get(StorePaths.node(n), NodeRecord.class);
      long v = rec == null ? Op.ABSENT : rec.version();
      NodeRecord value = rec == null ? null : rec.value();
      NodeTimer t = timers.get(n);
      timers.put(n, t == null ? NodeTimer.start(v, value, nowMs) : t.seen(v, value, nowMs));
    }
  }

  /** The store is not synced (or the host says the watch broke): everything seen so far starts over. */
  void gap() {
    timers.clear();
    lastLookMs = Long.MIN_VALUE / 2;
  }

  /**
   * The timers a manager taking over at nowMs keeps (none after a gap or a watch begun only now: it starts them at
   * now, as a manager without a watch does); the watch itself starts over, since from now on the active manager's
   * rounds step the timers.
   */
  SortedMap<String, NodeTimer> handOver(Timing timing, long nowMs) {
    boolean watched = nowMs - lastLookMs <= maxGapMs(timing) && nowMs > sinceMs;
    TreeMap<String, NodeTimer> kept = watched ? new TreeMap<>(timers) : new TreeMap<>();
    gap();
    return kept;
  }

  /** Fills timers with those kept at nowMs ({@link #handOver}); the take-over's event line. */
  String handOverTo(SortedMap<String, NodeTimer> timers, Timing timing, long nowMs) {
    long watched = watchedMs(nowMs);
    timers.clear();
    timers.putAll(handOver(timing, nowMs));
    return handedOver(timers.keySet(), watched);
  }

  /** The take-over's event: which timers were kept, after how long a watch. */
  private static String handedOver(java.util.Set<String> kept, long watchedMs) {
    return kept.isEmpty() ? "node timers start now: a full lease_timeout before a fence"
        : "node timers kept from " + Durations.format(watchedMs) + " of watching as standby: " + String.join(", ", kept);
  }
}
