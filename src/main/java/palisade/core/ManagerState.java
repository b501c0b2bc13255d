package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the active manager decided, one store record. Only the manager of {@code epoch} writes it, always with a
 * compare-and-set on its version, so a deposed manager cannot write.
 *
 * @param nextToken the next fencing token to hand out
 * @param commandSeq the last operator command applied
 * @param fencing power-fence orders in progress, by target
 * @param spm the SPM role's holder, or null while nobody holds it
 * @param maintenance nodes the operator put in maintenance (Proxmox's node request): kept apart from the node's
 *     state because it outlives it — across power loss, reboot, clean shutdown and fence — until the operator
 *     ends it. A node in state maintenance that is not listed here is in it for its migrate-policy shutdown.
 * @param softFences soft-fence orders of this silence episode, by target (DESIGN "Soft fencing")
 * @param deviceCheck the periodic fence device check in progress, or null ({@link DeviceChecks})
 * @param ha the cluster's HA mode: armed, or where a disarm / arm stands ({@link HaMode}; null reads as armed)
 * @param disks disk leases by disk name ({@link DiskLease}); a disk nobody holds is absent
 */
public record ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
    SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm,
    SortedSet<String> maintenance, SortedMap<String, SoftFenceOrder> softFences, DeviceCheckOrder deviceCheck,
    HaMode ha, SortedMap<String, DiskLease> disks) {

  public ManagerState {
    Check.that(nextToken > 0, "token counter must start at 1");
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    fencing = Collections.unmodifiableSortedMap(new TreeMap<>(fencing == null ? new TreeMap<>() : fencing));
    // A state written before operator maintenance was kept apart has none.
    maintenance = Collections.unmodifiableSortedSet(new TreeSet<>(maintenance == null ? new TreeSet<>()
        : maintenance));
    // A state written before soft fencing existed has none.
    softFences = Collections.unmodifiableSortedMap(new TreeMap<>(softFences == null ? new TreeMap<>() : softFences));
    ha = ha == null ? HaMode.ARMED : ha; // a state written before HA disarm existed is armed
    // A state written before disk leases existed has none.
    disks = Collections.unmodifiableSortedMap(new TreeMap<>(disks == null ? new TreeMap<>() : disks));
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm,
      SortedSet<String> maintenance, SortedMap<String, SoftFenceOrder> softFences, DeviceCheckOrder deviceCheck,
      HaMode ha) {
    this(epoch, nextToken, commandSeq, nodes, services, fencing, spm, maintenance, softFences, deviceCheck, ha, null);
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm,
      SortedSet<String> maintenance, SortedMap<String, SoftFenceOrder> softFences, DeviceCheckOrder deviceCheck) {
    this(epoch, nextToken, commandSeq, nodes, services, fencing, spm, maintenance, softFences, deviceCheck, null);
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm,
      SortedSet<String> maintenance) {
    this(epoch, nextToken, commandSeq, nodes, services, fencing, spm, maintenance, null, null);
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm) {
    this(epoch, nextToken, commandSeq, nodes, services, fencing, spm, null);
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services) {
    this(epoch, nextToken, commandSeq, nodes, services, new TreeMap<>(), null);
  }

  public static ManagerState empty() {
    return new ManagerState(0, 1, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), null, null, null, null);
  }

  public ManagerState withEpoch(long e) {
    return new ManagerState(e, nextToken, commandSeq, nodes, services, fencing, spm, maintenance, softFences,
        deviceCheck, ha, disks);
  }

  /** How a node's state reads to an operator: `maintenance (operator)` or `maintenance (shutdown)` told apart. */
  public String nodeLabel(String node) {
    NodeStatus st = nodes.get(node);
    if (st == null) return maintenance.contains(node) ? "- (maintenance requested)" : "-";
    if (st.state() == NodeState.MAINTENANCE) {
      return st.state().label() + (maintenance.contains(node) ? " (operator)" : " (shutdown)");
    }
    return st.state().label() + (maintenance.contains(node) ? " (maintenance kept)" : "");
  }
}
