package palisade.core;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Node load in CPUs and memory for {@code crs=static} and {@code crs=dynamic}: what the resources a node holds use
 * (configured figures; under dynamic, the figures measured for a resource where reported), against the node's
 * capacity.
 *
 * <p>Scoring, after Proxmox's static scheduler (which ranks candidates by the cluster's load after the placement,
 * with TOPSIS over average and highest CPU and memory): here the same four criteria are weighed by a fixed sum,
 * lower is better: {@code 10·highest memory + 5·average memory + 2·highest CPU + 1·average CPU}, each a fraction of
 * capacity over the online eligible nodes, as it would be with the resource on the candidate. Ties go to the
 * candidate whose own memory plus CPU fraction would be lowest, then to the one running fewest resources (so without
 * any figures stated it places like crs=basic), then to the node name. A node without a stated
 * capacity counts absolute figures (as if it had one CPU and one byte), so state capacities when using this.
 *
 * <p>Figures live in arrays indexed by the node's position in the configuration, so scoring a candidate costs no
 * map lookups: a recovery of thousands of resources over a thousand nodes scores millions of candidates.
 */
final class Usage {
  private final ClusterConfig config;
  private final Working working;
  private final SortedMap<String, Capacity> measured;
  private final TreeMap<String, Integer> index = new TreeMap<>();
  private final double[] cpuCap;
  private final double[] memCap;
  private final double[] cpuUsed;
  private final double[] memUsed;
  private boolean counted;
  private double highestMem;
  private double highestCpu;
  private int nodes;
  /** The eligible nodes' positions, for the eligible list of the version they were computed for. */
  private int[] eligible = new int[0];
  private long eligibleVersion = Long.MIN_VALUE;

  Usage(ClusterConfig config, Working working, SortedMap<String, Capacity> measured, Placement placement) {
    this.config = config;
    this.working = working;
    this.measured = measured;
    int n = config.nodes().size();
    cpuCap = new double[n];
    memCap = new double[n];
    cpuUsed = new double[n];
    memUsed = new double[n];
    int i = 0;
    for (String name : config.nodes().keySet()) {
      Capacity c = placement.capacity(name);
      cpuCap[i] = c.cpu() > 0 ? c.cpu() : 1;
      memCap[i] = c.memBytes() > 0 ? c.memBytes() : 1;
      index.put(name, i++);
    }
  }

  /** What a resource counts for: its configured demand, or under dynamic its measured use where reported. */
  Capacity demand(String id) {
    if (config.placement().crs() == Crs.DYNAMIC) {
      Capacity m = measured.get(id);
      if (m != null) return m;
    }
    return config.placement().demand(id);
  }

  private void count() {
    if (counted) return;
    counted = true;
    for (var e : working.services.entrySet()) add(Placement.loadNode(e.getValue()), e.getKey(), 1);
  }

  private void add(String node, String id, int sign) {
    Integer i = node == null ? null : index.get(node);
    if (i == null) return; // a node no longer configured
    Capacity d = demand(id);
    cpuUsed[i] += sign * d.cpu();
    memUsed[i] += sign * (double) d.memBytes();
  }

  /** Keeps the figures right when a round changes a resource's status. */
  void moved(String id, ServiceStatus from, ServiceStatus to) {
    if (!counted) return;
    add(from == null ? null : Placement.loadNode(from), id, -1);
    add(to == null ? null : Placement.loadNode(to), id, 1);
  }

  /**
   * Before scoring candidates: the highest fractions among the eligible nodes (list, which changes only with
   * version). Candidates are then scored by their position in that list.
   */
  void prepare(List<String> list, long version) {
    count();
    if (version != eligibleVersion || eligible.length != list.size()) {
      eligibleVersion = version;
      eligible = new int[list.size()];
      for (int k = 0; k < eligible.length; k++) eligible[k] = index.get(list.get(k));
    }
    highestMem = 0;
    highestCpu = 0;
    for (int i : eligible) {
      highestMem = Math.max(highestMem, memUsed[i] / memCap[i]);
      highestCpu = Math.max(highestCpu, cpuUsed[i] / cpuCap[i]);
    }
    nodes = Math.max(1, eligible.length);
  }

  /** How balanced the cluster would be with demand d on the candidate at position k (lower is better). */
  double balance(Capacity d, int k) {
    int i = eligible[k];
    double dm = d.memBytes() / memCap[i];
    double dc = d.cpu() / cpuCap[i];
    double m1 = memUsed[i] / memCap[i] + dm;
    double c1 = cpuUsed[i] / cpuCap[i] + dc;
    // The averages differ between candidates only by the candidate's own change: comparing that change keeps equal
    // nodes exactly equal (no rounding of a cluster-wide sum).
    return 10 * Math.max(highestMem, m1) + 5 * dm / nodes + 2 * Math.max(highestCpu, c1) + dc / nodes;
  }

  /** The candidate's own memory plus CPU fraction with demand d on it: the tie-break. */
  double own(Capacity d, int k) {
    int i = eligible[k];
    return (memUsed[i] + d.memBytes()) / memCap[i] + (cpuUsed[i] + d.cpu()) / cpuCap[i];
  }
}
