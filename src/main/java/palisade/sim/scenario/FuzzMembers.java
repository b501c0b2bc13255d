package palisade.sim.scenario;

import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Fuzz's membership part: members added and removed live, next to every other fault. Now and then a new node is
 * added (its machine boots and takes work), and a node is removed: mostly refused (it is up, or holds something),
 * sometimes after a clean shutdown, when the removal goes through and its machine stays out (powered on again at
 * heal time, its daemon refuses to start, as a removed node's does). Drawn from a random source of its own, so every
 * seed keeps the history it had before this part existed.
 */
final class FuzzMembers {
  /** Seeds this part's random source: distinct from every other part's, for any seed. */
  static final long SALT = 0x5EED_3E3B_0000_0014L;

  private FuzzMembers() {}

  /**
   * Adds the membership steps; returns the node it adds (to be healed with the others), or null. No member is added
   * under power saving: its power_saving_min_nodes is drawn for the nodes declared (one node in standby at most), and
   * with one more a second could go, taking the store's majority with it (DESIGN "Power saving": the manager does
   * not know where the store's peers run).
   */
  static String add(Random r, List<String> lines, List<Scenario.At> steps, List<String> nodes, long durationMs) {
    String added = null;
    if (r.nextInt(4) == 0 && !lines.contains("option power_saving=on")) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      added = "node" + (nodes.size() + 1);
      TreeMap<String, String> settings = new TreeMap<>();
      if (r.nextInt(3) == 0) settings.put("spm_priority", Integer.toString(r.nextInt(11)));
      if (r.nextInt(4) == 0) settings.put("agent_only", "yes");
      steps.add(Fuzz.at(t, new OperatorWords.Member(added, OperatorWords.Verb.ADD, settings)));
    }
    if (r.nextInt(4) == 0) {
      long t = 5_000 + (long) r.nextInt((int) Math.max(1, durationMs - 5_000));
      String node = nodes.get(r.nextInt(nodes.size()));
      if (r.nextBoolean()) steps.add(Fuzz.at(t, new Action.Shutdown(node)));
      long at = Math.min(durationMs, t + 2_000 + r.nextInt(40_000));
      steps.add(Fuzz.at(at, new OperatorWords.Member(node, OperatorWords.Verb.REMOVE, new TreeMap<>())));
    }
    return added;
  }
}
