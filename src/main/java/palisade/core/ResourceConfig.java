package palisade.core;

import java.util.List;

/**
 * An HA resource as configured by the operator.
 *
 * @param node the node it is on when first added (Proxmox keeps it in the config too)
 * @param priority restart priority: higher recovers first
 * @param maxRestart restarts on the same node after a failed start
 * @param maxRelocate relocations to other nodes after restarts are used up
 * @param disks disks whose leases a start must acquire
 */
public record ResourceConfig(String id, String node, RequestState state, String group, int priority,
    int maxRestart, int maxRelocate, List<String> disks) {

  public static final int DEFAULT_MAX_RESTART = 1;
  public static final int DEFAULT_MAX_RELOCATE = 1;

  public ResourceConfig {
    disks = List.copyOf(disks);
    if (maxRestart < 0) throw new ConfigException("resource " + id + ": max_restart must be >= 0");
    if (maxRelocate < 0) throw new ConfigException("resource " + id + ": max_relocate must be >= 0");
  }

  public ResourceConfig withState(RequestState s) {
    return new ResourceConfig(id, node, s, group, priority, maxRestart, maxRelocate, disks);
  }
}
