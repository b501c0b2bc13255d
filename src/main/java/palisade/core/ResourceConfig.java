package palisade.core;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An HA resource as configured by the operator.
 *
 * @param node the node it is on when first added (Proxmox keeps it in the config too)
 * @param priority restart priority: higher recovers first
 * @param maxRestart restarts on the same node after a failed start
 * @param maxRelocate relocations to other nodes after restarts are used up
 * @param disks disks whose leases a start must acquire
 * @param type the resource driver: `process`, `libvirt`, `sim`
 * @param options driver options (for `process`: `command`; for `libvirt`: `domain`, `uri`)
 */
public record ResourceConfig(String id, String node, RequestState state, String group, int priority,
    int maxRestart, int maxRelocate, List<String> disks, String type, SortedMap<String, String> options) {

  public static final int DEFAULT_MAX_RESTART = 1;
  public static final int DEFAULT_MAX_RELOCATE = 1;

  public ResourceConfig {
    disks = List.copyOf(disks);
    options = Collections.unmodifiableSortedMap(new TreeMap<>(options));
    if (type == null || type.isBlank()) throw new ConfigException("resource " + id + ": type is required");
    if (maxRestart < 0) throw new ConfigException("resource " + id + ": max_restart must be >= 0");
    if (maxRelocate < 0) throw new ConfigException("resource " + id + ": max_relocate must be >= 0");
  }

  /** Stands for a resource the configuration no longer has: stopped, no driver, nothing to start. */
  public static ResourceConfig removed(String id) {
    return new ResourceConfig(id, null, RequestState.STOPPED, null, 0, 0, 0, List.of(), "sim", new TreeMap<>());
  }

  /** A simulator resource: no driver options. */
  public static ResourceConfig sim(String id, String node, RequestState state, String group, int priority,
      int maxRestart, int maxRelocate, List<String> disks) {
    return new ResourceConfig(id, node, state, group, priority, maxRestart, maxRelocate, disks, "sim",
        new TreeMap<>());
  }

  public ResourceConfig withState(RequestState s) {
    return new ResourceConfig(id, node, s, group, priority, maxRestart, maxRelocate, disks, type, options);
  }

  /** The same resource as if first added on n (only read when the manager first places it). */
  public ResourceConfig withNode(String n) {
    return new ResourceConfig(id, n, state, group, priority, maxRestart, maxRelocate, disks, type, options);
  }
}
