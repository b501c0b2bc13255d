package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fuzz's disk-lease part: now and then a resource lists no disk, and in a third of the histories two or three
 * resources share one (only one may hold its lease, the others wait); an operator's `spm move` to a random node now
 * and then, eligible or not. Drawn from random sources of their own, so every seed keeps the faults it had before.
 */
final class FuzzLeases {
  /** Seeds this part's random sources: distinct from every other part's, for any seed. */
  static final long SALT = 0x5EED_D15C_0000_0011L;

  private FuzzLeases() {}

  /** Rewrites some `resource` lines of lines: a disk dropped, a disk shared. */
  static void disks(Random r, List<String> lines) {
    List<Integer> resources = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("resource ") && lines.get(i).contains(" disks=")) resources.add(i);
    }
    for (int i : resources) {
      if (r.nextInt(6) == 0) lines.set(i, lines.get(i).replaceFirst(" disks=\\S+", ""));
    }
    if (resources.size() < 2 || r.nextInt(3) != 0) return;
    int sharing = Math.min(resources.size(), 2 + r.nextInt(2));
    for (int n = 0; n < sharing; n++) {
      int i = resources.remove(r.nextInt(resources.size()));
      String line = lines.get(i);
      lines.set(i, line.contains(" disks=") ? line.replaceFirst(" disks=(\\S+)", " disks=$1,shared-1")
          : line + " disks=shared-1");
    }
  }

  /** Up to two `spm move NODE` at random times, to any node (the manager refuses an ineligible one). */
  static void spmMoves(Random r, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    int count = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0;
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      steps.add(Fuzz.at(t, new OperatorWords.SpmMove(nodes.get(r.nextInt(nodes.size())))));
    }
  }
}
