package palisade.sim.scenario;

import java.util.List;
import java.util.Random;
import palisade.core.Timing;

/**
 * Fuzz's live timing changes (DESIGN "Changing timings live"): a third of the histories get one to three random
 * timing targets at random times (now and then one that breaks the inequality, which must be refused). Drawn from a
 * random source of their own, so every seed keeps the faults it had before these existed.
 */
final class FuzzTimings {
  /** Seeds this part's random source: distinct from the history's and the other parts', for any seed. */
  static final long SALT = 0x5EED_71AE_0000_0012L;
  /** The simulator's default drift (1 %): what the generated leases are computed with. */
  private static final long DRIFT_PPM = 10_000;

  private FuzzTimings() {}

  static void add(Random r, List<Scenario.At> steps, long durationMs) {
    if (r.nextInt(3) != 0) return;
    int count = 1 + r.nextInt(3);
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      long renewMs = 500 + 50L * r.nextInt(31); // 500 ms .. 2 s
      long watchdogMs = 2_000 + 50L * r.nextInt(161); // 2 s .. 10 s
      // 1 s .. 2 s: well above the store's round trip under fuzz's latencies; a shorter X is an operator's mistake
      // that starves every watchdog (a liveness matter the inequality does not cover)
      long ackMs = 1_000 + 50L * r.nextInt(21);
      // W well above a renewal's round (2R + X): a shorter W resets healthy nodes between feeds (again liveness)
      watchdogMs = Math.max(watchdogMs, Math.max(2 * renewMs + ackMs + 1_000, lostAcksMs(renewMs, ackMs)));
      long leaseMs = roundUp(Timing.minimumLeaseMs(renewMs, ackMs, watchdogMs, DRIFT_PPM)) + 50L * r.nextInt(80);
      if (r.nextInt(8) == 0) leaseMs -= 1_000; // below the bound: the operator is refused, nothing changes
      steps.add(Fuzz.at(t, new Action.SetTiming(renewMs, ackMs, watchdogMs, leaseMs)));
    }
  }

  /** How many acknowledgements in a row a healthy node may lose without a reset: as many as under the defaults. */
  static final int LOST_ACKS = 3;

  /**
   * The W that outlasts {@link #LOST_ACKS} lost acknowledgements in a row, as the default timings do (R 1 s, X 1 s,
   * W 5 s): a write unanswered for X counts as lost only at the next tick (R/4 in the simulator), the next renewal
   * goes out then, and the watchdog is fed only by an in-time one; plus 250 ms for drift and the round trip. Fuzz
   * draws up to 2 % acknowledgement loss, so a W that outlasts only one loss (2R + X + 1 s with X near 2 s and R
   * near 1 s) reset healthy nodes at random late in healed histories (fuzz seeds 20263724, 20264669, 77292).
   */
  static long lostAcksMs(long renewMs, long ackMs) {
    return renewMs + LOST_ACKS * (ackMs + renewMs / 4) + 250;
  }

  private static long roundUp(long ms) {
    return (ms + 49) / 50 * 50;
  }
}
