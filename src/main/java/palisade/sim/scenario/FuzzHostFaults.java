package palisade.sim.scenario;

import java.util.List;
import java.util.Random;

/**
 * Fuzz's soft-fence and kdump part: some power-fenced nodes get kdump=yes, some without a watchdog soft_fence=ssh,
 * and a history gets up to two kernel crashes (`kdump NODE`) and hung daemons (`daemon NODE hang`, healed with the
 * rest). Drawn from a random source of their own, so every seed keeps the faults it had before these existed.
 */
final class FuzzHostFaults {
  /** Seeds this part's random source: distinct from the history's and the restarts', for any seed. */
  static final long SALT = 0x5EED_4D06_0000_0016L;
  /** Seeds the operator-fence part's own random source (added later: every seed keeps its other faults). */
  static final long FENCE_SALT = 0x5EED_4D06_0000_0F12L;

  private FuzzHostFaults() {}

  static void add(Random r, List<String> lines, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    for (String line : List.copyOf(lines)) {
      String[] w = line.split(" ");
      if (w.length < 3 || !w[0].equals("node") || !w[2].startsWith("fence=")) continue;
      if (r.nextInt(3) == 0) lines.add("node " + w[1] + " kdump=yes");
      if (line.contains("watchdog=no") && r.nextInt(2) == 0) lines.add("node " + w[1] + " soft_fence=ssh");
    }
    if (r.nextInt(3) == 0) lines.add("option kdump_time=" + (10 + r.nextInt(90)) + "s");
    int count = r.nextInt(3);
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      String n = r.nextInt(4) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size()));
      if (r.nextBoolean()) {
        steps.add(Fuzz.at(t, new Action.HostFault(n, Action.HostFault.Kind.KDUMP)));
      } else {
        steps.add(Fuzz.at(t, new Action.HostFault(n, Action.HostFault.Kind.DAEMON_HANG)));
        long ok = Math.min(durationMs, t + 1_000 + r.nextInt(30_000));
        if (!n.startsWith("@")) steps.add(Fuzz.at(ok, new Action.HostFault(n, Action.HostFault.Kind.DAEMON_OK)));
      }
    }
    for (String n : nodes) steps.add(Fuzz.at(durationMs, new Action.HostFault(n, Action.HostFault.Kind.DAEMON_OK)));
  }

  /** Up to two `fence node` requests of an operator, at any time, of any node (the manager's too). */
  static void operatorFences(Random r, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    int count = r.nextInt(3);
    for (int i = 0; i < count; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      steps.add(Fuzz.at(t, new Action.FenceNode(r.nextInt(4) == 0 ? "@manager" : nodes.get(r.nextInt(nodes.size())))));
    }
  }
}
