package palisade.core;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the active manager decided, one store record. Only the manager of {@code epoch} writes it, always with a
 * compare-and-set on its version, so a deposed manager cannot write.
 *
 * @param nextToken the next fencing token to hand out
 * @param commandSeq the last operator command applied
 * @param fencing power-fence orders in progress, by target
 * @param spm the SPM role's holder, or null while nobody holds it
 */
public record ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
    SortedMap<String, ServiceStatus> services, SortedMap<String, FenceTask> fencing, SpmRole spm) {

  public ManagerState {
    Check.that(nextToken > 0, "token counter must start at 1");
    nodes = Collections.unmodifiableSortedMap(new TreeMap<>(nodes));
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    fencing = Collections.unmodifiableSortedMap(new TreeMap<>(fencing == null ? new TreeMap<>() : fencing));
  }

  public ManagerState(long epoch, long nextToken, long commandSeq, SortedMap<String, NodeStatus> nodes,
      SortedMap<String, ServiceStatus> services) {
    this(epoch, nextToken, commandSeq, nodes, services, new TreeMap<>(), null);
  }

  public static ManagerState empty() {
    return new ManagerState(0, 1, 0, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), null);
  }

  public ManagerState withEpoch(long e) {
    return new ManagerState(e, nextToken, commandSeq, nodes, services, fencing, spm);
  }
}
