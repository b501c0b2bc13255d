package palisade.sim.scenario;

import java.util.List;
import java.util.Random;

/**
 * Fuzz's manager-change part (issue 14): faults aimed at whichever node holds the manager lease at the time —
 * power loss, isolation, lost store acknowledgements, a pause longer than the lease — so that a new manager takes
 * over with the node timers it watched as standby; now and then standbys paused just after (a gap in their watch
 * before the take-over), and a second manager fault soon after the first (two changes in a row). Power, network and
 * acknowledgements come back for every node at once some time later (a no-op for the nodes they never left). Drawn
 * from a random source of its own, so every seed keeps the history it had before this part existed.
 */
final class FuzzManagerFaults {
  /** Seeds this part's random source: distinct from every other part's, for any seed. */
  static final long SALT = 0x5EED_3A4A_0000_0014L;

  /** Seeds the manager-candidate draws (agent_only nodes, live changes): their own source, for the same reason. */
  static final long CANDIDATES_SALT = 0x5EED_CA9D_0000_0014L;

  private FuzzManagerFaults() {}

  /**
   * In one history of three, only some nodes may be manager (the rest `agent_only`, at least one candidate left),
   * and now and then the operator makes a node agent-only or a candidate again during the run (refused, as the
   * store's writer refuses it, when no candidate would be left).
   */
  static void candidates(Random r, List<String> lines, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    if (r.nextInt(3) != 0 || nodes.size() < 2) return;
    List<String> shuffled = new java.util.ArrayList<>(nodes);
    java.util.Collections.shuffle(shuffled, r);
    int candidates = 1 + r.nextInt(nodes.size() - 1);
    for (String n : shuffled.subList(candidates, shuffled.size())) lines.add("node " + n + " agent_only=yes");
    int changes = r.nextInt(3);
    for (int i = 0; i < changes; i++) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      String n = nodes.get(r.nextInt(nodes.size()));
      var settings = new java.util.TreeMap<>(java.util.Map.of("agent_only", r.nextBoolean() ? "yes" : "no"));
      steps.add(Fuzz.at(t, new OperatorWords.Member(n, OperatorWords.Verb.SET, settings)));
    }
  }

  static void add(Random r, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    if (r.nextInt(2) != 0) return;
    long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
    int changes = r.nextInt(3) == 0 ? 2 : 1;
    for (int i = 0; i < changes && t < durationMs; i++) {
      long back = Math.min(durationMs, t + 3_000 + r.nextInt(60_000));
      fault(r, steps, nodes, t, back);
      if (r.nextInt(3) == 0) standbyGap(r, steps, nodes, t);
      t += 9_000 + r.nextInt(20_000); // the next manager has taken over by then (about L after the fault)
    }
  }

  private static void fault(Random r, List<Scenario.At> steps, List<String> nodes, long t, long back) {
    switch (r.nextInt(4)) {
      case 0 -> {
        steps.add(Fuzz.at(t, new Action.Power("@manager", false)));
        for (String n : nodes) steps.add(Fuzz.at(back, new Action.Power(n, true)));
      }
      case 1 -> {
        steps.add(Fuzz.at(t, new Action.Network("@manager", false)));
        for (String n : nodes) steps.add(Fuzz.at(back, new Action.Network(n, true)));
      }
      case 2 -> {
        steps.add(Fuzz.at(t, new Action.DropAcks("@manager", true)));
        for (String n : nodes) steps.add(Fuzz.at(back, new Action.DropAcks(n, false)));
      }
      default -> steps.add(Fuzz.at(t, new Action.Pause("@manager", 9_000 + r.nextInt(30_000))));
    }
  }

  /** Some nodes (standbys, or the manager's node itself) paused for up to 6 s while the lease lapses. */
  private static void standbyGap(Random r, List<Scenario.At> steps, List<String> nodes, long t) {
    long at = t + 200 + r.nextInt(8_000);
    for (String n : nodes) {
      if (r.nextBoolean()) steps.add(Fuzz.at(at + r.nextInt(500), new Action.Pause(n, 1_000 + r.nextInt(5_000))));
    }
  }
}
