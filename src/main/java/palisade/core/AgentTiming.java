package palisade.core;

/**
 * The agent's side of a live timing change (DESIGN "Changing timings live"). It keeps apart the timings this agent
 * claims in its record writes (its R and X are these: it renews every R and counts acknowledgements within X) and
 * the W its watchdog device really counts. The order of its steps keeps the manager's L at least
 * (X + W)(1 + ρ)² + R for what the device counts at every instant:
 * <ul>
 *   <li>a smaller W reaches the device at an in-time feed, before any write claims it (lowering is safe at once);
 *   <li>a larger W (or a larger X or R) is claimed only once the manager has published an L that covers it, and it
 *       reaches the device only at the in-time acknowledgement of a write that claims it.
 * </ul>
 * So the device never counts more than the claim of the version a fence write names, and the claim never asks for
 * more than the L the manager published. Pure: the agent hands in what its store view shows.
 */
final class AgentTiming {
  private final long localTickMs;
  private final long localRenewMs;
  private Timing claim;
  /** What the device counts from its last arm or feed (or will, once armed). */
  private long watchdogMs;
  /** A smaller W to set at the next in-time feed (0: none). */
  private long lowerAtFeedMs;
  /** A W the device refused to count (0: none): not asked again, the change waits (the manager keeps its L). */
  private long refusedMs;

  AgentTiming(Timing initial) {
    this.claim = initial;
    this.watchdogMs = initial.watchdogMs();
    this.localTickMs = initial.tickMs();
    this.localRenewMs = initial.renewMs();
  }

  Timing claim() {
    return claim;
  }

  long watchdogMs() {
    return watchdogMs;
  }

  /** The target in this host's terms: its own tick, scaled with R (tick ≤ R). */
  Timing local(Timing target) {
    long tick = Math.max(1, Math.min(target.renewMs(), localTickMs * target.renewMs() / localRenewMs));
    return new Timing(target.renewMs(), target.ackMs(), target.watchdogMs(), target.leaseMs(), target.driftPpm(),
        tick, target.restartHoldMs());
  }

  /**
   * A booting agent (nothing runs yet under this daemon, so nothing is owed to an old claim): it starts under the
   * target when no change was ever made or the manager's published L covers it, else under what the manager
   * published, and moves on from there like a running agent. Returns an event, or null when nothing changed.
   */
  String boot(Timing target, Timing published) {
    if (target == null || published == null) return null;
    Timing start = TimingChange.boundMs(target) <= published.leaseMs() ? target : published;
    if (NodeRecord.sameTerms(start, claim)) return null;
    claim = local(start);
    watchdogMs = claim.watchdogMs();
    lowerAtFeedMs = 0;
    return "timing: starts under " + TimingChange.describe(claim);
  }

  /**
   * One step toward target, with no record write in flight. Returns an event when the claim changed, else null.
   * armed: the device counts now, so a smaller W must wait for a feed.
   */
  String step(Timing target, Timing published, boolean armed) {
    Check.that(watchdogMs <= claim.watchdogMs(), "timing inequality: the watchdog counts %sms, above the claimed W "
        + "%sms", watchdogMs, claim.watchdogMs());
    if (target == null || published == null || NodeRecord.sameTerms(target, claim)) return null;
    Timing next = local(target);
    if (next.watchdogMs() < watchdogMs) {
      if (next.watchdogMs() == refusedMs) return null;
      if (armed) {
        lowerAtFeedMs = next.watchdogMs(); // set at the next in-time feed, before any write claims it
        return null;
      }
      watchdogMs = next.watchdogMs(); // nothing counts: the next arm uses it
    }
    if (watchdogMs > next.watchdogMs()) return null;
    if (TimingChange.boundMs(next) > published.leaseMs()) return null; // the manager does not wait that long yet
    String was = TimingChange.describe(claim);
    claim = next;
    return "timing: agent " + was + " -> " + TimingChange.describe(claim) + (claim.watchdogMs() > watchdogMs
        ? " (the watchdog counts the new W from the next in-time renewal)" : "");
  }

  /**
   * The W the device must count from this in-time feed on. ackedClaim is what the acknowledged write claimed: a
   * larger W reaches the device only through the acknowledgement of a write that claims it.
   */
  long atFeed(Timing ackedClaim) {
    if (lowerAtFeedMs > 0) return Math.min(watchdogMs, lowerAtFeedMs); // lower first, claim after
    long w = watchdogMs;
    if (ackedClaim != null && NodeRecord.sameTerms(ackedClaim, claim) && claim.watchdogMs() > w
        && claim.watchdogMs() != refusedMs) { // a device that refused a W is not asked again at every feed
      w = claim.watchdogMs();
    }
    return w;
  }

  /** After the feed: the device counts counted (wanted, if it took it; else it refused wanted and kept its W). */
  String fed(long counted, long wanted, boolean taken) {
    lowerAtFeedMs = 0;
    long was = watchdogMs;
    watchdogMs = counted;
    if (!taken) {
      refusedMs = wanted;
      return "timing: this watchdog cannot count " + Durations.format(wanted) + "; it keeps "
          + Durations.format(counted);
    }
    return was == counted ? null : "timing: watchdog " + Durations.format(was) + " -> " + Durations.format(counted);
  }
}
