package palisade.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/**
 * Failover durations from successive manager decisions as this node's view shows them: a node that leaves ONLINE
 * for UNKNOWN or FENCING is a fault seen; each resource that was on it counts from then until it is STARTED on
 * another node. A node back ONLINE first cancels its pending resources (no failover happened). Fed on the loop with
 * each new ManagerState (only when the record changed), so the cost is one pass over nodes and resources per change.
 */
final class Failovers {
  /** Resource id -> [faulty node, nanoTime the fault was seen]. */
  private final Map<String, Object[]> pending = new TreeMap<>();
  private ManagerState previous;

  /** Returns the failovers that completed with this state, in nanoseconds. */
  List<Long> update(ManagerState ms, long nowNanos) {
    if (ms == null || ms == previous) return List.of();
    ManagerState before = previous;
    previous = ms;
    if (before == null) return List.of();
    for (var e : ms.nodes().entrySet()) {
      NodeState was = before.nodes().containsKey(e.getKey()) ? before.nodes().get(e.getKey()).state() : null;
      NodeState now = e.getValue().state();
      if (was == NodeState.ONLINE && (now == NodeState.UNKNOWN || now == NodeState.FENCING)) {
        for (var s : before.services().entrySet()) {
          if (e.getKey().equals(s.getValue().node()) && !pending.containsKey(s.getKey())) {
            pending.put(s.getKey(), new Object[] {e.getKey(), nowNanos});
          }
        }
      } else if (now == NodeState.ONLINE && was != NodeState.ONLINE) {
        pending.values().removeIf(p -> p[0].equals(e.getKey()));
      }
    }
    List<Long> done = new ArrayList<>();
    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
      var p = it.next();
      ServiceStatus s = ms.services().get(p.getKey());
      if (s == null) {
        it.remove(); // removed by an operator meanwhile
      } else if (s.state() == ServiceState.STARTED && s.node() != null && !s.node().equals(p.getValue()[0])) {
        done.add(nowNanos - (Long) p.getValue()[1]);
        it.remove();
      }
    }
    return done;
  }
}
