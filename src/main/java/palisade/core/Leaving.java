package palisade.core;

import java.util.Objects;
import java.util.SortedMap;

/** Invariant 4 at the point of every resource status change (moved out of ServiceMachine to keep it small). */
final class Leaving {
  private Leaving() {}

  /**
   * Invariant 4 where it is decided: recovery starts only from a confirmed fence or a clean shutdown, and a
   * resource that may run on its node goes to another only once that node is fenced, down cleanly, or its agent
   * said under the current token that it no longer runs it there (stopped, migrated, or its start failed).
   */
  static void check(Working w, SortedMap<String, NodeRecord> records, String id, ServiceStatus from,
      ServiceStatus to, String reason) {
    NodeStatus node = from.node() == null ? null : w.node(from.node());
    boolean fenced = node != null && node.state() == NodeState.FENCED && node.confirmation() != null;
    boolean down = node != null && node.state() == NodeState.OFFLINE;
    if (to.state() == ServiceState.RECOVERY && from.state() != ServiceState.RECOVERY) {
      Check.invariant(4, fenced || down, "%s: recovery from %s, which is %s (%s)", id, from.node(),
          node == null ? "unknown" : node.state().label(), reason);
    }
    boolean mayRun = switch (from.state()) {
      case STARTED, REQUEST_STOP, MIGRATE, RELOCATE, FREEZE, FENCE -> true;
      case REQUEST_START, STOPPED, DISABLED, RECOVERY, ERROR, IGNORED -> false;
    };
    if (!mayRun || Objects.equals(from.node(), to.node())) return;
    NodeRecord rec = from.node() == null ? null : records.get(from.node());
    ResourceResult r = rec == null ? null : rec.results().get(id);
    boolean gone = r != null && r.token() == from.token() && (r.outcome() == RequestOutcome.STOPPED
        || r.outcome() == RequestOutcome.MIGRATED || r.outcome() == RequestOutcome.START_FAILED);
    Check.invariant(4, fenced || down || gone, "%s: leaves %s (%s) for %s without a confirmed fence or its "
        + "agent's word (%s)", id, from.node(), node == null ? "unknown" : node.state().label(), to.node(), reason);
  }

}
