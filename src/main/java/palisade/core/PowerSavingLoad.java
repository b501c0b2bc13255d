package palisade.core;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The load power saving weighs ({@link PowerSaving}): what the resources on the usable (powered-on, online, heard)
 * nodes demand against what those nodes offer, in CPUs and memory, each from the configured figures ({@code cpu=},
 * {@code mem=}); under {@code crs=dynamic} a resource's measured use stands in for its configured demand where it was
 * reported (as {@link AutoRebalance} and placement weigh it). Under {@code crs=basic} placement counts resources, but a
 * count says nothing about how full a node is, so power saving weighs the configured figures there too.
 *
 * <p>The cluster's load is the larger of its CPU and memory fractions (the binding resource is the one that hurts),
 * a node's load the same on its own figures. A dimension no usable node offers is left out; with neither there is no
 * load ({@link #known}) and power saving does nothing.
 */
final class PowerSavingLoad {
  private final List<String> names = new ArrayList<>();
  private final TreeMap<String, Integer> index = new TreeMap<>();
  private final double[] cpu;
  private final double[] mem;
  private final double[] cpuCap;
  private final double[] memCap;
  private double cpuSum;
  private double memSum;
  private double cpuCapSum;
  private double memCapSum;
  private final ClusterConfig config;
  private final SortedMap<String, Capacity> measured;

  PowerSavingLoad(ClusterConfig config, Working w, Placement placement, SortedMap<String, Capacity> measured) {
    this.config = config;
    this.measured = measured;
    for (String n : config.nodes().keySet()) {
      if (placement.eligible(n)) {
        index.put(n, names.size());
        names.add(n);
      }
    }
    int k = names.size();
    cpu = new double[k];
    mem = new double[k];
    cpuCap = new double[k];
    memCap = new double[k];
    for (int i = 0; i < k; i++) {
      Capacity c = config.placement().capacity(names.get(i));
      cpuCap[i] = c.cpu();
      memCap[i] = c.memBytes();
      cpuCapSum += cpuCap[i];
      memCapSum += memCap[i];
    }
    for (var e : w.services.entrySet()) {
      String n = Placement.loadNode(e.getValue());
      Integer i = n == null ? null : index.get(n);
      if (i == null) continue;
      Capacity d = demand(e.getKey());
      cpu[i] += d.cpu();
      mem[i] += d.memBytes();
      cpuSum += d.cpu();
      memSum += d.memBytes();
    }
  }

  /** What a resource counts for: its configured demand, or under dynamic its measured use where reported. */
  Capacity demand(String id) {
    if (config.placement().crs() == Crs.DYNAMIC && measured != null) {
      Capacity m = measured.get(id);
      if (m != null) return m;
    }
    return config.placement().demand(id);
  }

  /** Does any usable node offer CPUs or memory to weigh against? */
  boolean known() {
    return cpuCapSum > 0 || memCapSum > 0;
  }

  /** The usable nodes, in name order. */
  List<String> nodes() {
    return names;
  }

  /** The cluster's load over the usable nodes' capacity. */
  double load() {
    return fraction(cpuSum, cpuCapSum, memSum, memCapSum);
  }

  /** The cluster's load if node left the powered-on capacity and its resources moved to the others. */
  double loadWithout(String node) {
    int i = index.get(node);
    return fraction(cpuSum, cpuCapSum - cpuCap[i], memSum, memCapSum - memCap[i]);
  }

  /** A usable node's own load (0 for a node that offers nothing and holds nothing). */
  double nodeLoad(String node) {
    int i = index.get(node);
    return fraction(cpu[i], cpuCap[i], mem[i], memCap[i]);
  }

  /**
   * Used over offered in each dimension that is offered, the larger; a demand with nothing offered against it is
   * unbounded (a cluster left without the capacity its resources need).
   */
  private static double fraction(double cpuUsed, double cpuOffered, double memUsed, double memOffered) {
    double f = 0;
    if (cpuOffered > 0) f = Math.max(f, cpuUsed / cpuOffered);
    else if (cpuUsed > 0 && memOffered <= 0) f = Double.POSITIVE_INFINITY;
    if (memOffered > 0) f = Math.max(f, memUsed / memOffered);
    else if (memUsed > 0 && cpuOffered <= 0) f = Double.POSITIVE_INFINITY;
    return f;
  }
}
