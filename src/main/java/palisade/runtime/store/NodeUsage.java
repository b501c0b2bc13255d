package palisade.runtime.store;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.Capacity;
import palisade.core.ClusterConfig;
import palisade.core.StorePaths;
import palisade.core.StoreView;
import palisade.core.Versioned;

/**
 * A node's measured load, as its daemon's usage reporter writes it to {@code /usage/NODE} (one small record per
 * node, rewritten when the figures move, and at least every {@code refreshMs}): the node's capacity and what each
 * resource running there used over the last interval. The input of {@code crs=dynamic} and of the per-node load in
 * {@code status} and {@code node list}.
 *
 * @param atMs the reporter's wall clock when it measured (how old the figures are; also their staleness)
 * @param intervalMs the interval the CPU figures are averaged over
 * @param cpus the node's CPU count (availableProcessors)
 * @param memBytes the node's memory (/proc/meminfo MemTotal)
 * @param resources resource id to its CPU (a fraction of cores: 1.5 = one and a half cores busy) and resident memory
 */
public record NodeUsage(long atMs, long intervalMs, double cpus, long memBytes, SortedMap<String, Used> resources) {
  /**
   * Figures older than this (by the reader's wall clock) are a dead or cut-off node's last word: its resources are
   * no longer counted from it (its capacity still is). Well above the reporter's refresh period.
   */
  public static final long STALE_MS = 90_000;

  /** One resource's figures: CPU as a fraction of cores, memory in bytes. */
  public record Used(double cpu, long memBytes) {}

  public NodeUsage {
    resources = Collections.unmodifiableSortedMap(new TreeMap<>(resources == null ? new TreeMap<>() : resources));
  }

  /** What the node's resources use in total. */
  public Used used() {
    double cpu = 0;
    long mem = 0;
    for (Used u : resources.values()) {
      cpu += u.cpu();
      mem += u.memBytes();
    }
    return new Used(cpu, mem);
  }

  /** The record of each configured node that has one, by node. */
  public static SortedMap<String, NodeUsage> all(StoreView view) {
    SortedMap<String, NodeUsage> out = new TreeMap<>();
    Versioned<ClusterConfig> cfg = view.get(StorePaths.CONFIG, ClusterConfig.class);
    if (cfg == null) return out;
    for (String n : cfg.value().nodes().keySet()) {
      Versioned<Object> v = view.get(StorePaths.usage(n));
      if (v != null && v.value() instanceof NodeUsage u) out.put(n, u);
    }
    return out;
  }

  /**
   * crs=dynamic's input: each resource's measured CPU and memory, from the freshest record that lists it (a
   * resource that just moved may still be in its old node's last record); stale records count nothing.
   */
  public static SortedMap<String, Capacity> measured(SortedMap<String, NodeUsage> records, long nowWallMs) {
    SortedMap<String, Capacity> out = new TreeMap<>();
    TreeMap<String, Long> at = new TreeMap<>();
    for (NodeUsage u : records.values()) {
      if (nowWallMs - u.atMs() > STALE_MS) continue;
      for (var e : u.resources().entrySet()) {
        Long seen = at.get(e.getKey());
        if (seen != null && seen >= u.atMs()) continue;
        at.put(e.getKey(), u.atMs());
        out.put(e.getKey(), new Capacity(Math.max(0, e.getValue().cpu()), Math.max(0, e.getValue().memBytes())));
      }
    }
    return out;
  }

  /** Each node's reported capacity (CPUs, memory), stale or not: a powered-off node's hardware is the same. */
  public static SortedMap<String, Capacity> capacities(SortedMap<String, NodeUsage> records) {
    SortedMap<String, Capacity> out = new TreeMap<>();
    records.forEach((n, u) -> out.put(n, new Capacity(Math.max(0, u.cpus()), Math.max(0, u.memBytes()))));
    return out;
  }
}
