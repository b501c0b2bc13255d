package palisade.core;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Node load in CPUs and memory for {@code crs=static} and {@code crs=dynamic}: what the resources a node holds use
 * (configured figures; under dynamic, the figures measured for a running resource where its node reported them),
 * against the node's capacity.
 *
 * <p>Scoring, after Proxmox's static scheduler (which ranks candidates by the cluster's load after the placement,
 * with TOPSIS over average and highest CPU and memory): here the same four criteria are weighed by a fixed sum,
 * lower is better: {@code 10·highest memory + 5·average memory + 2·highest CPU + 1·average CPU}, each a fraction of
 * capacity over the online eligible nodes, as it would be with the resource on the candidate. Ties go to the
 * candidate whose own memory plus CPU fraction would be lowest, then to the node name. A node without a stated
 * capacity counts absolute figures (as if it had one CPU and one byte), so state capacities when using this.
 */
final class Usage {
  private final ClusterConfig config;
  private final Working working;
  private final SortedMap<String, Capacity> measured;
  private final TreeMap<String, double[]> used = new TreeMap<>(); // node -> {cpu, mem bytes}
  private boolean counted;
  private double highestMem;
  private double highestCpu;
  private int nodes;

  Usage(ClusterConfig config, Working working, SortedMap<String, Capacity> measured) {
    this.config = config;
    this.working = working;
    this.measured = measured;
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
    for (String n : config.nodes().keySet()) used.put(n, new double[2]);
    for (var e : working.services.entrySet()) add(Placement.loadNode(e.getValue()), e.getKey(), 1);
  }

  private void add(String node, String id, int sign) {
    if (node == null) return;
    double[] u = used.get(node);
    if (u == null) return; // a node no longer configured
    Capacity d = demand(id);
    u[0] += sign * d.cpu();
    u[1] += sign * (double) d.memBytes();
  }

  /** Keeps the figures right when a round changes a resource's status. */
  void moved(String id, ServiceStatus from, ServiceStatus to) {
    if (!counted) return;
    add(from == null ? null : Placement.loadNode(from), id, -1);
    add(to == null ? null : Placement.loadNode(to), id, 1);
  }

  /** Before scoring candidates: the highest fractions among the eligible nodes. */
  void prepare(List<String> eligible) {
    count();
    highestMem = 0;
    highestCpu = 0;
    for (String n : eligible) {
      highestMem = Math.max(highestMem, memFraction(n, 0));
      highestCpu = Math.max(highestCpu, cpuFraction(n, 0));
    }
    nodes = Math.max(1, eligible.size());
  }

  private double memFraction(String n, double extra) {
    long cap = config.placement().capacity(n).memBytes();
    return (used.get(n)[1] + extra) / (cap > 0 ? cap : 1);
  }

  private double cpuFraction(String n, double extra) {
    double cap = config.placement().capacity(n).cpu();
    return (used.get(n)[0] + extra) / (cap > 0 ? cap : 1);
  }

  /** How balanced the cluster would be with id on node (lower is better). */
  Score score(String id, String node) {
    Capacity d = demand(id);
    double m0 = memFraction(node, 0);
    double m1 = memFraction(node, d.memBytes());
    double c0 = cpuFraction(node, 0);
    double c1 = cpuFraction(node, d.cpu());
    // The averages differ between candidates only by the candidate's own change: comparing that change keeps equal
    // nodes exactly equal (no rounding of a cluster-wide sum).
    double balance = 10 * Math.max(highestMem, m1) + 5 * (m1 - m0) / nodes + 2 * Math.max(highestCpu, c1)
        + (c1 - c0) / nodes;
    return new Score(balance, m1 + c1, node);
  }

  /** A candidate's score: cluster balance, then its own load, then its name. */
  record Score(double balance, double own, String node) implements Comparable<Score> {
    @Override
    public int compareTo(Score o) {
      if (o == null) return -1;
      int c = Double.compare(balance, o.balance);
      if (c == 0) c = Double.compare(own, o.own);
      return c != 0 ? c : node.compareTo(o.node);
    }
  }
}
