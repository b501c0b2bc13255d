package palisade.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.Capacity;
import palisade.core.ClusterConfig;
import palisade.runtime.store.NodeUsage;

/**
 * A node's load as `status` and `node list` show it: what its resources were measured using (CPU in cores, resident
 * memory) against its capacity (the configured one where the configuration states it, else what its agent
 * reported), from its {@code /usage/NODE} record. Stale: the record is older than {@link NodeUsage#STALE_MS} (a node
 * down or cut off); placement no longer counts its figures then.
 */
public record NodeLoad(@JsonProperty("cpu_used") double cpuUsed, @JsonProperty("cpu_capacity") double cpuCapacity,
    @JsonProperty("mem_used_bytes") long memUsedBytes, @JsonProperty("mem_capacity_bytes") long memCapacityBytes,
    @JsonProperty("resources_measured") int resourcesMeasured, @JsonProperty("measured_utc") String measuredUtc,
    boolean stale) {

  /** The load of every node that has a usage record, by node. */
  public static SortedMap<String, NodeLoad> of(ClusterConfig cfg, SortedMap<String, NodeUsage> usage, long nowMs) {
    SortedMap<String, NodeLoad> out = new TreeMap<>();
    usage.forEach((n, u) -> {
      Capacity c = cfg.placement().capacity(n);
      NodeUsage.Used used = u.used();
      out.put(n, new NodeLoad(used.cpu(), c.cpu() > 0 ? c.cpu() : u.cpus(), used.memBytes(),
          c.memBytes() > 0 ? c.memBytes() : u.memBytes(), u.resources().size(), Inventory.utc(u.atMs()),
          nowMs - u.atMs() > NodeUsage.STALE_MS));
    });
    return out;
  }

  /** "1.02/4" cores. */
  public String cpu() {
    return String.format(java.util.Locale.ROOT, "%.2f/%s", cpuUsed, cores(cpuCapacity));
  }

  /** "350M/23.5G". */
  public String memory() {
    return size(memUsedBytes) + "/" + size(memCapacityBytes);
  }

  private static String cores(double c) {
    return c == Math.rint(c) ? Long.toString((long) c) : String.format(java.util.Locale.ROOT, "%.2f", c);
  }

  /** Binary units, as the scenario grammar writes sizes (512M, 64G), one decimal from G up. */
  static String size(long bytes) {
    if (bytes >= 1L << 40) return String.format(java.util.Locale.ROOT, "%.1fT", bytes / (double) (1L << 40));
    if (bytes >= 1L << 30) return String.format(java.util.Locale.ROOT, "%.1fG", bytes / (double) (1L << 30));
    if (bytes >= 1L << 20) return (bytes >> 20) + "M";
    if (bytes >= 1L << 10) return (bytes >> 10) + "K";
    return Long.toString(bytes);
  }
}
