package palisade.sim.scenario;

import java.util.List;
import java.util.Random;

/**
 * Fuzz's whole-node freezes (`freeze NODE D`, the watchdog frozen too): half the histories get one or two, of any
 * node (the manager's too), some shorter than the lease (nothing may move) and some longer (fenced without a reset:
 * only the fencing tokens that storage checks keep the resumed processes harmless), each over before the history
 * heals. Drawn from a random source of its own, so every seed keeps the faults it had before freezes existed.
 */
final class FuzzFreezes {
  /** Seeds this part's random source: distinct from every other part's, for any seed. */
  static final long SALT = 0x5EED_F2EE_0000_0011L;

  private FuzzFreezes() {}

  /**
   * Adds the freezes to steps. A history that gets any gives each resource its disk back where the disk-lease part
   * dropped it: a resource without disks has no storage to refuse its resumed instance, so a freeze longer than the
   * lease would run it twice with nothing to stop its writes (DESIGN "Which invariants hold under which faults").
   */
  static void add(Random r, List<String> lines, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    if (r.nextBoolean()) return;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.startsWith("resource ") || line.contains(" disks=")) continue;
      String id = line.split(" ")[1];
      lines.set(i, line + " disks=disk-" + (Integer.parseInt(id.substring(id.indexOf(':') + 1)) - 100));
    }
    int count = 1 + r.nextInt(2);
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 6_000));
      long d = r.nextBoolean() ? 500 + r.nextInt(7_000) : 8_000 + r.nextInt(60_000);
      String n = r.nextInt(4) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size()));
      steps.add(Fuzz.at(t, new Action.Freeze(n, Math.max(1, Math.min(d, durationMs - t)))));
    }
  }
}
