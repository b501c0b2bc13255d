package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Automatic rebalancing ({@code crs_auto_rebalance}): the manager's memory of how long the cluster has been
 * unbalanced, and the search for the one move that helps most.
 *
 * <p>The measure. Each usable node (online, heard, in time: where placement may put work) has a load under the
 * active {@code crs}: under {@code basic} the number of resources it holds; under {@code static} and {@code dynamic}
 * the larger of its CPU and memory fractions (what it holds against its capacity; the binding resource is the one
 * that hurts). The imbalance is the coefficient of variation of those loads (standard deviation over mean; 0 with
 * fewer than two nodes or no load). It is scale-free, so one threshold means the same under every {@code crs} and
 * for any cluster size, and one lone heavy node among many weighs as much as it hurts; max-min would be moved by a
 * single outlier and could not be compared across measures.
 *
 * <p>The hold is the manager's own time (the round's nowMs): the imbalance must stay above the threshold from one
 * round to a round at least {@code hold} later. A search (made then) starts the hold over whatever it finds, so
 * searches cost at most one per hold, and a steady balanced round costs one pass over the statuses.
 *
 * <p>Candidates: every resource in {@code started} (confirmed running on a usable node, requested started, not
 * returning after maintenance) with its positive-affinity partners, all running with it, moved as one set named by
 * its lowest id; to every usable node that each member may use: allowed by its group or node-affinity rule at a
 * priority no lower than where it is (no move failback would undo), held by no negative partner, not one it failed
 * to start on. Neither the source nor the target may have a migration or relocation in flight. {@code bruteforce} takes the lowest resulting
 * imbalance; {@code topsis} ranks the {@value #TOPSIS_CANDIDATES_MAX} candidates with the lowest resulting imbalance
 * by TOPSIS over four costs: the resulting imbalance (weight 0.5), the highest node load after the move (0.2), the
 * target's load after it (0.2) and the size moved (0.1: the memory fraction of the source it frees, or the number of
 * resources under basic — a small migration is cheaper). Ties go to the lower resource id, then node name. The move
 * is made only when it lowers the imbalance, and by at least {@code margin} of it.
 */
final class AutoRebalance {
  /** How many of the best candidates TOPSIS ranks: keeps its memory and time bounded at any cluster size. */
  static final int TOPSIS_CANDIDATES_MAX = 64;
  private static final long NEVER = Long.MIN_VALUE;
  /** The least drop of the imbalance that counts as one: far above rounding, far below any useful margin. */
  private static final double IMPROVEMENT_MIN = 1e-9;

  /** Since when (manager time) the imbalance has been above the threshold, or NEVER. */
  private long aboveSinceMs = NEVER;

  /** Forgets the hold (a new manager observes afresh, as Proxmox does not persist it either). */
  void reset() {
    aboveSinceMs = NEVER;
  }

  /** One round's look, after every resource has stepped: at most one move (one set). */
  void step(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records, Placement placement,
      ServiceMachine services, SortedMap<String, Capacity> measured, long nowMs) {
    AutoRebalanceConfig opt = config.placement().autoRebalance();
    if (!opt.on()) {
      aboveSinceMs = NEVER;
      return;
    }
    Loads loads = new Loads(config, w, placement, measured);
    double before = loads.imbalance();
    if (!(before > opt.threshold())) {
      aboveSinceMs = NEVER;
      return;
    }
    if (aboveSinceMs == NEVER) aboveSinceMs = nowMs;
    if (nowMs - aboveSinceMs < opt.holdMs()) return;
    aboveSinceMs = nowMs; // the next search a full hold later, whatever this one finds
    Candidate best = search(config, w, records, placement, loads, opt.method());
    // A move must lower the imbalance, whatever the margin: with margin 0 a move that only swaps two loads would
    // otherwise be made, and undone, forever (and rounding must not make a swap look like a gain).
    if (best == null || !(best.after < before - IMPROVEMENT_MIN) || (before - best.after) / before < opt.margin()) {
      return;
    }
    Check.that(best.sourceIndex != best.targetIndex && best.after >= 0 && !best.members.isEmpty(),
        "auto rebalance: a move of %s from node %s to %s leaving %s", best.members, best.sourceIndex, best.target,
        best.after);
    String why = String.format(Locale.ROOT, "auto rebalance (%s) to %s: imbalance %.2f above %.2f for %s, %.2f after "
        + "the move", opt.method().label(), best.target, before, opt.threshold(), Durations.format(opt.holdMs()),
        best.after);
    for (String m : best.members) {
      String with = m.equals(best.members.get(0)) ? "" : ", with " + best.members.get(0);
      services.rebalance(m, best.target, why + with);
    }
  }

  /** One possible move: a set (leader first) from its node to a target, and the imbalance it would leave. */
  private record Candidate(List<String> members, int sourceIndex, int targetIndex, String target, double after,
      double size) implements Comparable<Candidate> {
    @Override
    public int compareTo(Candidate o) {
      int c = Double.compare(after, o.after);
      if (c != 0) return c;
      c = members.get(0).compareTo(o.members.get(0));
      return c != 0 ? c : target.compareTo(o.target);
    }
  }

  private static Candidate search(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      Placement placement, Loads loads, AutoRebalanceConfig.Method method) {
    TreeSet<String> busy = new TreeSet<>(); // nodes a migration or relocation is leaving or entering
    for (ServiceStatus ss : w.services.values()) {
      if (ss.state() == ServiceState.MIGRATE || ss.state() == ServiceState.RELOCATE) {
        busy.add(ss.node());
        busy.add(ss.target());
      }
    }
    Candidate best = null;
    TreeSet<Candidate> top = new TreeSet<>();
    for (var e : w.services.entrySet()) {
      List<String> members = movable(config, w, records, placement, e.getKey(), e.getValue());
      if (members == null || busy.contains(e.getValue().node())) continue;
      int s = loads.index(e.getValue().node());
      double[] d = loads.demand(members);
      for (int t = 0; t < loads.size(); t++) {
        if (t == s) continue;
        // The arithmetic first (O(1)), the rules only for a move that would be kept: candidates come by id, then
        // node, so one that merely ties with a kept one loses to it anyway.
        double after = loads.imbalanceAfter(s, t, d);
        boolean kept = method == AutoRebalanceConfig.Method.TOPSIS
            ? top.size() < TOPSIS_CANDIDATES_MAX || after < top.last().after : best == null || after < best.after;
        String target = loads.node(t);
        if (!kept || busy.contains(target) || !allowed(config, w, placement, members, e.getValue().node(), target)) {
          continue;
        }
        Candidate c = new Candidate(members, s, t, target, after, loads.size(s, d));
        if (best == null || c.compareTo(best) < 0) best = c;
        if (method == AutoRebalanceConfig.Method.TOPSIS) {
          top.add(c);
          if (top.size() > TOPSIS_CANDIDATES_MAX) top.pollLast();
        }
      }
    }
    return method == AutoRebalanceConfig.Method.TOPSIS ? topsis(new ArrayList<>(top), loads) : best;
  }

  /** The set id leads if it can move now (id first, then its partners by id), or null. */
  private static List<String> movable(ClusterConfig config, Working w, SortedMap<String, NodeRecord> records,
      Placement placement, String id, ServiceStatus ss) {
    if (!running(config, records, placement, id, ss)) return null;
    List<String> members = new ArrayList<>(List.of(id));
    for (String p : placement.partners(id)) {
      if (p.compareTo(id) < 0) return null; // the lowest id leads the set
      ServiceStatus ps = w.services.get(p);
      if (ps == null || !running(config, records, placement, p, ps) || !ps.node().equals(ss.node())) return null;
      members.add(p);
    }
    return members;
  }

  static boolean running(ClusterConfig config, SortedMap<String, NodeRecord> records, Placement placement,
      String id, ServiceStatus ss) {
    ResourceConfig rc = config.resources().get(id);
    if (ss.state() != ServiceState.STARTED || rc == null || rc.state() != RequestState.STARTED
        || ss.maintenanceNode() != null || ss.failedStarts() > 0 || !placement.eligible(ss.node())) {
      return false;
    }
    NodeRecord rec = records.get(ss.node());
    ResourceResult r = rec == null ? null : rec.results().get(id);
    return r != null && r.token() == ss.token() && r.outcome() == RequestOutcome.STARTED;
  }

  /**
   * May every member go from source to target under its rules (invariant 7), at no lower priority, and not to a node
   * it already failed to start on (remembered until it is stopped: failback avoids them too)?
   */
  private static boolean allowed(ClusterConfig config, Working w, Placement placement, List<String> members,
      String source, String target) {
    for (String m : members) {
      if (w.services.get(m).triedNodes().contains(target)) return false;
      ResourceConfig rc = config.resources().get(m);
      Integer to = placement.priority(rc, target);
      Integer from = placement.priority(rc, source);
      if (to == null || (from != null && to < from) || placement.refusedOn(rc, target) != null) return false;
    }
    return true;
  }

  /** TOPSIS over the candidates (lowest imbalance first): the one closest to the ideal, ties by id then node. */
  private static Candidate topsis(List<Candidate> cs, Loads loads) {
    if (cs.isEmpty()) return null;
    double[] weight = {0.5, 0.2, 0.2, 0.1};
    double[][] x = new double[cs.size()][];
    for (int i = 0; i < cs.size(); i++) {
      Candidate c = cs.get(i);
      x[i] = new double[] {c.after, loads.highestAfter(c.sourceIndex, c.targetIndex, loads.demand(c.members)),
          loads.loadAfter(c.targetIndex, loads.demand(c.members), 1), c.size};
    }
    double[] best = new double[weight.length];
    double[] worst = new double[weight.length];
    for (int j = 0; j < weight.length; j++) {
      double norm = 0;
      for (double[] row : x) norm += row[j] * row[j];
      norm = Math.sqrt(norm);
      best[j] = Double.MAX_VALUE;
      worst[j] = -Double.MAX_VALUE;
      for (double[] row : x) {
        row[j] = norm == 0 ? 0 : weight[j] * row[j] / norm;
        best[j] = Math.min(best[j], row[j]); // every criterion is a cost: lower is ideal
        worst[j] = Math.max(worst[j], row[j]);
      }
    }
    Candidate chosen = null;
    double closest = -1;
    for (int i = 0; i < cs.size(); i++) {
      double plus = 0;
      double minus = 0;
      for (int j = 0; j < weight.length; j++) {
        plus += (x[i][j] - best[j]) * (x[i][j] - best[j]);
        minus += (x[i][j] - worst[j]) * (x[i][j] - worst[j]);
      }
      double sum = Math.sqrt(plus) + Math.sqrt(minus);
      double closeness = sum == 0 ? 1 : Math.sqrt(minus) / sum;
      Candidate c = cs.get(i);
      if (chosen == null || closeness > closest || (closeness == closest && tieBefore(c, chosen))) {
        chosen = c;
        closest = closeness;
      }
    }
    return chosen;
  }

  private static boolean tieBefore(Candidate a, Candidate b) {
    int c = a.members.get(0).compareTo(b.members.get(0));
    return c < 0 || (c == 0 && a.target.compareTo(b.target) < 0);
  }

  /** Loads of the usable nodes under the active crs, with the running sums the imbalance needs. */
  private static final class Loads {
    private final boolean basic;
    private final ClusterConfig config;
    private final SortedMap<String, Capacity> measured;
    private final TreeMap<String, Integer> index = new TreeMap<>();
    private final List<String> names = new ArrayList<>();
    private final double[] count;
    private final double[] cpu;
    private final double[] mem;
    private final double[] cpuCap;
    private final double[] memCap;
    private double sum;
    private double sumSq;

    Loads(ClusterConfig config, Working w, Placement placement, SortedMap<String, Capacity> measured) {
      this.config = config;
      this.measured = measured;
      basic = config.placement().crs() == Crs.BASIC;
      for (String n : config.nodes().keySet()) {
        if (placement.eligible(n)) {
          index.put(n, names.size());
          names.add(n);
        }
      }
      int k = names.size();
      count = new double[k];
      cpu = new double[k];
      mem = new double[k];
      cpuCap = new double[k];
      memCap = new double[k];
      for (int i = 0; i < k; i++) {
        Capacity c = placement.capacity(names.get(i));
        cpuCap[i] = c.cpu() > 0 ? c.cpu() : 1; // as Usage: no stated capacity counts absolute figures
        memCap[i] = c.memBytes() > 0 ? c.memBytes() : 1;
      }
      for (var e : w.services.entrySet()) {
        String n = Placement.loadNode(e.getValue());
        Integer i = n == null ? null : index.get(n);
        if (i == null) continue;
        count[i]++;
        if (!basic) {
          Capacity d = demandOf(e.getKey());
          cpu[i] += d.cpu();
          mem[i] += d.memBytes();
        }
      }
      for (int i = 0; i < k; i++) {
        double l = load(i);
        sum += l;
        sumSq += l * l;
      }
    }

    private Capacity demandOf(String id) {
      if (config.placement().crs() == Crs.DYNAMIC) {
        Capacity m = measured.get(id);
        if (m != null) return m;
      }
      return config.placement().demand(id);
    }

    int size() {
      return names.size();
    }

    String node(int i) {
      return names.get(i);
    }

    int index(String node) {
      Integer i = index.get(node);
      Check.that(i != null, "auto rebalance: %s is not a usable node", node);
      return i;
    }

    /** A set's figures: count, CPUs, memory bytes. */
    double[] demand(List<String> members) {
      double[] d = {members.size(), 0, 0};
      if (!basic) {
        for (String m : members) {
          Capacity c = demandOf(m);
          d[1] += c.cpu();
          d[2] += c.memBytes();
        }
      }
      return d;
    }

    double load(int i) {
      return loadAfter(i, new double[3], 0);
    }

    /** Node i's load with sign times the figures d added. */
    double loadAfter(int i, double[] d, int sign) {
      if (basic) return count[i] + sign * d[0];
      return Math.max((cpu[i] + sign * d[1]) / cpuCap[i], (mem[i] + sign * d[2]) / memCap[i]);
    }

    double imbalance() {
      return cv(sum, sumSq);
    }

    double imbalanceAfter(int s, int t, double[] d) {
      double ls = load(s);
      double lt = load(t);
      double ls1 = loadAfter(s, d, -1);
      double lt1 = loadAfter(t, d, 1);
      return cv(sum - ls - lt + ls1 + lt1, sumSq - ls * ls - lt * lt + ls1 * ls1 + lt1 * lt1);
    }

    double highestAfter(int s, int t, double[] d) {
      double h = Math.max(loadAfter(s, d, -1), loadAfter(t, d, 1));
      for (int i = 0; i < names.size(); i++) {
        if (i != s && i != t) h = Math.max(h, load(i));
      }
      return h;
    }

    /** What moving d frees on the source: its resource count under basic, else its memory fraction there. */
    double size(int s, double[] d) {
      return basic ? d[0] : d[2] / memCap[s];
    }

    private double cv(double total, double totalSq) {
      int k = names.size();
      if (k < 2 || total <= 0) return 0;
      double mean = total / k;
      double variance = Math.max(0, totalSq / k - mean * mean);
      return Math.sqrt(variance) / mean;
    }
  }
}
