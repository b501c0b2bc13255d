package palisade.core;

import java.util.SortedMap;

/**
 * The manager's side of a live timing change (DESIGN "Changing timings live"). The target is /config's timing; the
 * manager waits by the L of the timing published at {@link StorePaths#TIMING} (its own when none was ever
 * published) and moves the published timing to the target:
 * <ul>
 *   <li>at once when the target's L is at least the one it waits by: waiting longer is always safe, and it waits the
 *       new L from the moment it sends the write, before any agent can see it and claim a larger W;
 *   <li>else only once every member node's record claims timings that the target's L covers, or the node can run
 *       nothing under an older claim: its record is fenced, says it shut down cleanly, or was never written. It
 *       waits by the smaller L only once its view shows the write.
 * </ul>
 * Pure: the manager hands in its view and records.
 */
final class TimingChange {
  private static final String SOURCE = "manager";

  /** A publication sent and not yet shown by the view, and the version of /timing it named. */
  private Timing sent;
  private long sentOverVersion;
  /** The last "waiting for" event, so it is told once. */
  private String waitingFor;
  /** The last effective timing and what it was computed from. */
  private Timing cached;
  private long cachedVersion = Long.MIN_VALUE;
  private Timing cachedSent;

  /** (X + W)(1 + ρ)² + R of t: the least L that covers an agent running under t. */
  static long boundMs(Timing t) {
    return Timing.minimumLeaseMs(t.renewMs(), t.ackMs(), t.watchdogMs(), t.driftPpm());
  }

  /** `renew 1s, ack 1s, watchdog 5s, lease 8s, drift 1%`: the terms of the inequality, for events. */
  static String describe(Timing t) {
    return t.terms();
  }

  /**
   * The timing this manager runs under now: own (the host's, with its tick) while nothing was published, else the
   * published terms with the larger L of the publication and a raise still in flight.
   */
  Timing effective(Timing own, StoreView view) {
    Versioned<Timing> p = view.get(StorePaths.TIMING, Timing.class);
    if (sent != null && p != null && p.version() > sentOverVersion) sent = null; // the view shows the outcome
    if (p == null && sent == null) return own;
    long version = p == null ? Op.ABSENT : p.version();
    if (version == cachedVersion && sent == cachedSent && cached != null) return cached;
    Timing base = p == null ? own : p.value();
    long leaseMs = Math.max(base.leaseMs(), sent == null ? 0 : sent.leaseMs());
    long tick = Math.max(1, Math.min(base.renewMs(), own.tickMs() * base.renewMs() / own.renewMs()));
    cached = new Timing(base.renewMs(), base.ackMs(), base.watchdogMs(), leaseMs, base.driftPpm(), tick,
        base.restartHoldMs());
    cachedVersion = version;
    cachedSent = sent;
    return cached;
  }

  /** A write of ours to /timing was refused: nothing was published, the raise need not be waited by any more. */
  void refused() {
    sent = null;
  }

  /**
   * The ops that publish the target this round (empty: none), logged as one step. The write checks that /config is
   * still the one read, so a newer target is never overtaken by an older one.
   */
  java.util.List<Op> step(ClusterConfig config, long configVersion, StoreView view,
      SortedMap<String, NodeRecord> records, Timing current, EventLog log) {
    Versioned<Timing> p = view.get(StorePaths.TIMING, Timing.class);
    Timing target = config.timing();
    if (p == null || target == null || sent != null || NodeRecord.sameTerms(p.value(), target)) {
      return java.util.List.of();
    }
    boolean raise = target.leaseMs() >= current.leaseMs();
    if (!raise) {
      String behind = behind(config, records, target);
      if (behind != null) {
        if (!behind.equals(waitingFor)) {
          log.event(SOURCE, "timing: lease stays " + Durations.format(current.leaseMs()) + " until " + behind
              + " (target lease " + Durations.format(target.leaseMs()) + ")");
          waitingFor = behind;
        }
        return java.util.List.of();
      }
    }
    sent = target;
    sentOverVersion = p.version();
    waitingFor = null;
    log.event(SOURCE, "timing: lease " + Durations.format(current.leaseMs()) + " -> "
        + Durations.format(target.leaseMs()) + (raise ? " (raised before watchdog)"
        : " (lowered after watchdog: every member node runs watchdog " + Durations.format(target.watchdogMs()) + ")"));
    return java.util.List.of(new Op.Unchanged(StorePaths.CONFIG, configVersion),
        new Op.Put(StorePaths.TIMING, p.version(), target));
  }

  /** The first member node whose record still claims more than target's L covers, told for an event; else null. */
  static String behind(ClusterConfig config, SortedMap<String, NodeRecord> records, Timing target) {
    for (String n : config.nodes().keySet()) {
      NodeRecord rec = records.get(n);
      if (rec == null || rec.fenced() || rec.mode().down()) continue; // runs nothing under an older claim
      if (rec.timing() == null) return n + " reports its timings";
      if (needMs(rec.timing(), target) > target.leaseMs()) {
        return n + " runs watchdog " + Durations.format(rec.timing().watchdogMs()) + " (it claims "
            + describe(rec.timing()) + "), or is fenced";
      }
    }
    return null;
  }

  /** The L an agent claiming claim needs, with the larger of its and the reference's drift. */
  static long needMs(Timing claim, Timing reference) {
    return Timing.minimumLeaseMs(claim.renewMs(), claim.ackMs(), claim.watchdogMs(),
        Math.max(claim.driftPpm(), reference.driftPpm()));
  }

  /**
   * The always-on check of every round: for every member node that may run something under its claim, the wait
   * this manager applies to the version it timed covers what that claim lets the agent's watchdog count.
   */
  static void check(ClusterConfig config, SortedMap<String, NodeRecord> records, SortedMap<String, NodeTimer> timers,
      Timing current) {
    for (var e : records.entrySet()) {
      NodeRecord rec = e.getValue();
      if (rec.fenced() || rec.mode().down() || rec.timing() == null || NodeRecord.sameTerms(rec.timing(), current)) {
        continue; // the same terms: the inequality was validated when that Timing was built
      }
      NodeTimer timer = timers.get(e.getKey()); // looked up only for a record under other terms
      if (timer == null || !config.nodes().containsKey(e.getKey())) continue;
      Check.that(timer.boundMs(current) >= needMs(rec.timing(), current), "timing inequality: the manager waits %sms "
          + "for %s, whose record claims %s", timer.boundMs(current), e.getKey(), rec.timing());
    }
  }
}
