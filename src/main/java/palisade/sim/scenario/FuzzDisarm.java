package palisade.sim.scenario;

import java.util.List;
import java.util.Random;
import palisade.core.HaMode;

/**
 * Fuzz's HA disarm part: a quarter of the histories get an operator's `disarm freeze|ignore` at a random time and an
 * `arm` some time later (at the latest when everything heals, so the liveness bound applies to an armed cluster);
 * now and then a second disarm/arm pair. Drawn from a random source of its own, so every seed keeps the history it
 * had before disarm existed; only the seeds that draw a disarm change. An arm sent while the store has no quorum
 * fails, as the CLI's would: the operator arms once more after every fault healed (refused if armed already), so the
 * liveness bound always applies to an armed cluster.
 */
final class FuzzDisarm {
  /** Seeds this part's random source: distinct from every other part's, for any seed. */
  static final long SALT = 0x5EED_D15A_0000_0015L;

  private FuzzDisarm() {}

  static void add(Random r, List<Scenario.At> steps, long durationMs) {
    if (r.nextInt(4) != 0) return;
    int pairs = r.nextInt(3) == 0 ? 2 : 1;
    long from = 5_000;
    for (int i = 0; i < pairs && from < durationMs; i++) {
      long t = from + (long) r.nextInt((int) Math.max(1, durationMs - from));
      HaMode.Kind kind = r.nextBoolean() ? HaMode.Kind.FREEZE : HaMode.Kind.IGNORE;
      long arm = Math.min(durationMs, t + 1_000 + r.nextInt(120_000));
      steps.add(Fuzz.at(t, new Action.Ha(kind)));
      steps.add(Fuzz.at(arm, new Action.Ha(null)));
      from = arm + 1;
    }
    steps.add(Fuzz.at(durationMs + Fuzz.SECOND_POWER_ON_MS + 2, new Action.Ha(null)));
    // ...and once more when the machines powered on then have booted (a store without quorum refused the first).
    steps.add(Fuzz.at(durationMs + Fuzz.SECOND_POWER_ON_MS + Fuzz.LONGEST_BOOT_MS + 2, new Action.Ha(null)));
  }
}
