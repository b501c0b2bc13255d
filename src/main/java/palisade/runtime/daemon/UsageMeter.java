package palisade.runtime.daemon;

import java.util.SortedMap;
import java.util.TreeMap;
import palisade.runtime.resource.ResourceSample;
import palisade.runtime.store.NodeUsage;

/**
 * Turns readings of the resources' CPU-time counters into CPU shares, and decides when a new record is worth writing:
 * the figures moved, the set of resources changed, or the last write is {@code refreshMs} old (so readers can tell a
 * live node's quiet record from a dead node's stale one). No I/O: the reporter hands it readings and clock values.
 */
final class UsageMeter {
  /** A resource's CPU share must move by this many cores, or its memory by this fraction, to be news. */
  static final double CPU_STEP = 0.05;
  static final double MEM_STEP_FRACTION = 0.05;

  private final long refreshMs;
  private SortedMap<String, ResourceSample> previous = new TreeMap<>();
  private long previousNanos;
  /** Whether previous holds a reading (System.nanoTime may be any value, zero or negative too). */
  private boolean readBefore;
  private NodeUsage written;

  UsageMeter(long refreshMs) {
    this.refreshMs = refreshMs;
  }

  /**
   * The figures since the last reading: CPU time used over elapsed time, as a fraction of cores. A resource read for
   * the first time is left out until it has two readings (crs=dynamic counts its configured figures meanwhile); a
   * counter that went backwards (restarted resource) counts 0 this once.
   */
  NodeUsage read(SortedMap<String, ResourceSample> now, long monoNanos, long wallMs, double cpus, long memBytes) {
    long elapsed = monoNanos - previousNanos;
    SortedMap<String, NodeUsage.Used> used = new TreeMap<>();
    if (readBefore && elapsed > 0) {
      for (var e : now.entrySet()) {
        ResourceSample before = previous.get(e.getKey());
        if (before == null) continue;
        long cpuNanos = Math.max(0, e.getValue().cpuNanos() - before.cpuNanos());
        double share = Math.round(1000.0 * cpuNanos / elapsed) / 1000.0; // three decimals are plenty
        used.put(e.getKey(), new NodeUsage.Used(share, e.getValue().memBytes()));
      }
    }
    previous = new TreeMap<>(now);
    long intervalMs = readBefore ? elapsed / 1_000_000 : 0;
    previousNanos = monoNanos;
    readBefore = true;
    return new NodeUsage(wallMs, intervalMs, cpus, memBytes, used);
  }

  /** Whether next should be written, given what was written last (remembered once {@link #wrote} says so). */
  boolean worthWriting(NodeUsage next) {
    NodeUsage last = written;
    if (last == null || next.atMs() - last.atMs() >= refreshMs) return true;
    if (last.cpus() != next.cpus() || last.memBytes() != next.memBytes()) return true;
    if (!last.resources().keySet().equals(next.resources().keySet())) return true;
    for (var e : next.resources().entrySet()) {
      NodeUsage.Used a = last.resources().get(e.getKey());
      NodeUsage.Used b = e.getValue();
      if (Math.abs(a.cpu() - b.cpu()) >= CPU_STEP) return true;
      if (Math.abs(a.memBytes() - b.memBytes()) > MEM_STEP_FRACTION * Math.max(a.memBytes(), 1)) return true;
    }
    return false;
  }

  void wrote(NodeUsage u) {
    written = u;
  }
}
