package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Placement rules and loads for fuzz histories, now and then: a negative and a positive resource-affinity rule, a
 * node-affinity rule, and crs=static with capacities and demands. Drawn from a generator of their own (seeded from
 * the history's other declarations), so a seed's faults and actions stay what they were before rules existed.
 * Only resources outside the group get rules, on disjoint sets, so every generated configuration is valid.
 */
final class FuzzRules {
  private FuzzRules() {}

  /** Salt of the auto-rebalance draws: a generator of their own, so the rules drawn before stay what they were. */
  static final long REBALANCE_SALT = 0x5EBA1A7CEL;
  /** Salt of the power saving draws: a generator of their own, so every history without it stays what it was. */
  static final long POWER_SAVING_SALT = 0x90E125A7EL;

  /**
   * Adds rule and capacity lines to a history's declarations (and cpu= mem= to its resource lines), and now and then
   * automatic rebalancing with random settings.
   */
  static void add(Random r, List<String> nodes, List<String> declarations) {
    Random a = new Random(declarations.hashCode() ^ REBALANCE_SALT); // drawn before anything changes the lines
    Random p = new Random(declarations.hashCode() ^ POWER_SAVING_SALT);
    rules(r, nodes, declarations);
    autoRebalance(a, declarations);
    powerSaving(p, nodes, declarations);
  }

  /**
   * power_saving=on in one history of three, with low thresholds and short holds so nodes go to standby and come
   * back often. At most one node in standby (min_nodes one below the node count): a second could take a store
   * majority with it, and the history's end must find the cluster converged. Without crs=static, nodes and
   * resources get capacities and demands of their own draws (basic placement ignores them), so there is a load.
   */
  private static void powerSaving(Random p, List<String> nodes, List<String> declarations) {
    if (p.nextInt(3) != 0 || nodes.size() < 2) return;
    declarations.add("option power_saving=on");
    declarations.add("option power_saving_min_nodes=" + (nodes.size() - 1));
    declarations.add("option power_saving_low=" + (new String[] {"0.3", "0.5", "0.7"})[p.nextInt(3)]);
    declarations.add("option power_saving_high=" + (new String[] {"0.75", "0.9"})[p.nextInt(2)]);
    declarations.add("option power_saving_hold=" + (new String[] {"0s", "5s", "20s"})[p.nextInt(3)]);
    if (declarations.contains("option crs=static")) return;
    for (String n : nodes) declarations.add("node " + n + " cpu=" + (8 + p.nextInt(24)) + " mem=" + (16 + p.nextInt(64))
        + "G");
    for (int i = 0; i < declarations.size(); i++) {
      if (declarations.get(i).startsWith("resource ")) {
        declarations.set(i, declarations.get(i) + " cpu=" + (1 + p.nextInt(4)) + " mem=" + (1 + p.nextInt(8)) + "G");
      }
    }
  }

  /** crs_auto_rebalance in one history of three: any method, low thresholds and holds, so it moves often. */
  private static void autoRebalance(Random a, List<String> declarations) {
    if (a.nextInt(3) != 0) return;
    declarations.add("option crs_auto_rebalance=yes");
    declarations.add("option crs_auto_rebalance_method=" + (a.nextBoolean() ? "bruteforce" : "topsis"));
    declarations.add("option crs_auto_rebalance_threshold=" + (new String[] {"0.05", "0.1", "0.3"})[a.nextInt(3)]);
    declarations.add("option crs_auto_rebalance_hold=" + (new String[] {"0s", "2s", "10s"})[a.nextInt(3)]);
    declarations.add("option crs_auto_rebalance_margin=" + (new String[] {"0", "0.1"})[a.nextInt(2)]);
  }

  private static void rules(Random r, List<String> nodes, List<String> declarations) {
    List<String> out = new ArrayList<>();
    if (r.nextInt(3) != 0) return;
    List<String> free = new ArrayList<>();
    for (String line : declarations) {
      if (line.startsWith("resource ") && !line.contains(" group=")) free.add(line.split("\\s+")[1]);
    }
    java.util.Collections.shuffle(free, r);
    int k = nodes.size();
    int next = 0;
    if (free.size() - next >= 2 && r.nextBoolean()) {
      int n = Math.min(Math.min(k, free.size() - next), 2 + r.nextInt(2));
      out.add("rule apart resource-affinity negative resources=" + String.join(",", free.subList(next, next + n)));
      next += n;
    }
    if (free.size() - next >= 2 && r.nextBoolean()) {
      out.add("rule together resource-affinity positive resources=" + free.get(next) + "," + free.get(next + 1));
      next += 2;
    }
    if (free.size() - next >= 1 && r.nextBoolean()) {
      String a = nodes.get(r.nextInt(k));
      String b = nodes.get(r.nextInt(k));
      out.add("rule pin node-affinity nodes=" + a + ":2" + (b.equals(a) ? "" : "," + b + ":1") + " resources="
          + free.get(next) + " strict=" + (r.nextBoolean() ? "yes" : "no") + " failback="
          + (r.nextBoolean() ? "yes" : "no"));
    }
    if (r.nextBoolean()) {
      out.add("option crs=static");
      for (String n : nodes) out.add("node " + n + " cpu=" + (4 + r.nextInt(28)) + " mem=" + (8 + r.nextInt(120)) + "G");
      for (int i = 0; i < declarations.size(); i++) {
        if (declarations.get(i).startsWith("resource ")) {
          declarations.set(i, declarations.get(i) + " cpu=" + (1 + r.nextInt(8)) + " mem=" + (1 + r.nextInt(32)) + "G");
        }
      }
    }
    declarations.addAll(out);
  }
}
