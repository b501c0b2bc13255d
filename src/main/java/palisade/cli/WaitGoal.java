package palisade.cli;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestOutcome;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.SpmRole;
import palisade.runtime.store.ShutdownRequest;

/**
 * When an asynchronous change has taken effect, as the store shows it: one pure decision per kind of change, from
 * one {@link Snapshot} of the store to a {@link Verdict}. {@link Waiter} polls and asks; nothing here reads a clock
 * or the store, so every decision is unit-tested from records.
 */
@FunctionalInterface
interface WaitGoal {
  Verdict check(Snapshot s);

  /** The node whose shutdown request the goal needs read (null: none). */
  default String shutdownOf() {
    return null;
  }

  /**
   * What the store says now.
   *
   * @param applied the manager applied the queued command (its commandSeq reached it); always true for config edits
   */
  record Snapshot(ClusterConfig config, ManagerState state, SortedMap<String, NodeRecord> records,
      ShutdownRequest shutdown, boolean applied) {
    public Snapshot {
      records = new TreeMap<>(records);
    }

    ServiceStatus service(String id) {
      return state == null ? null : state.services().get(id);
    }

    NodeState nodeState(String node) {
      NodeStatus st = state == null ? null : state.nodes().get(node);
      return st == null ? null : st.state();
    }

    /** The agent of the resource's node reported it running under the state's current token. */
    boolean confirmedRunning(String id, ServiceStatus ss) {
      NodeRecord rec = records.get(ss.node());
      ResourceResult r = rec == null ? null : rec.results().get(id);
      return r != null && r.token() == ss.token()
          && (r.outcome() == RequestOutcome.STARTED || r.outcome() == RequestOutcome.MIGRATED);
    }
  }

  /** Done (what happened), still waiting (the state now, for a timeout) or failed (why). */
  sealed interface Verdict {
    String text();
  }

  record Done(String text) implements Verdict {}

  record Waiting(String text) implements Verdict {}

  record Failed(String text) implements Verdict {}

  /**
   * add, start, stop, disable, enable, cleanup: the resource is as its configuration requests — started and
   * confirmed by its node's agent, or confirmed stopped/disabled. A resource in error fails the wait, except while
   * a disable (which clears error) or a not yet applied cleanup still has to act on it.
   */
  static WaitGoal asConfigured(String id) {
    return s -> {
      ResourceConfig rc = s.config() == null ? null : s.config().resources().get(id);
      if (rc == null) return new Failed(id + " is no longer configured");
      ServiceStatus ss = s.service(id);
      if (ss == null) return new Waiting(id + " is not known to the manager yet");
      if (ss.state() == ServiceState.ERROR && s.applied() && rc.state() != RequestState.DISABLED) {
        return new Failed(id + " is in error on " + ss.node() + " (a start or stop failed; see palisade events; "
            + "palisade resource cleanup " + id + " clears it)");
      }
      return switch (rc.state()) {
        case STARTED -> ss.state() == ServiceState.STARTED && s.confirmedRunning(id, ss)
            ? new Done(id + " runs on " + ss.node()) : new Waiting(describe(id, s));
        case STOPPED -> ss.state() == ServiceState.STOPPED ? new Done(id + " is stopped")
            : new Waiting(describe(id, s));
        case DISABLED -> ss.state() == ServiceState.DISABLED ? new Done(id + " is disabled")
            : new Waiting(describe(id, s));
        case IGNORED -> ss.state() == ServiceState.IGNORED ? new Done(id + " is ignored (not managed)")
            : new Waiting(describe(id, s));
      };
    };
  }

  /**
   * migrate, relocate: started on the target and confirmed there. Once the command is applied, the resource back
   * to started elsewhere means the move failed (the manager keeps it where it was).
   */
  static WaitGoal movedTo(String id, String target) {
    return s -> {
      ServiceStatus ss = s.service(id);
      if (ss == null) return new Failed(id + " is not known to the manager");
      if (ss.state() == ServiceState.ERROR && s.applied()) {
        return new Failed(id + " is in error on " + ss.node() + " (see palisade events)");
      }
      if (ss.state() == ServiceState.STARTED && s.confirmedRunning(id, ss)) {
        if (target.equals(ss.node())) return new Done(id + " runs on " + target);
        if (s.applied()) return new Failed(id + " did not move: it runs on " + ss.node() + " (see palisade events)");
      }
      return new Waiting(describe(id, s));
    };
  }

  /**
   * node maintenance on: the node is in the operator's maintenance and nothing of ours is assigned to it any more
   * (its resources moved away, the SPM role handed over); off: the node is online and out of the operator's
   * maintenance.
   */
  static WaitGoal maintenance(String node, boolean on) {
    return s -> {
      ManagerState ms = s.state();
      if (ms == null) return new Waiting("the manager has written no state yet");
      NodeState st = s.nodeState(node);
      String now = node + " is " + ms.nodeLabel(node);
      if (!on) {
        return st == NodeState.ONLINE && !ms.maintenance().contains(node) ? new Done(node + " is online")
            : new Waiting(now);
      }
      if (st != NodeState.MAINTENANCE || !ms.maintenance().contains(node)) return new Waiting(now);
      for (Map.Entry<String, ServiceStatus> e : ms.services().entrySet()) {
        ServiceStatus ss = e.getValue();
        boolean there = node.equals(ss.node()) || node.equals(ss.target());
        if (there && ss.state() == ServiceState.ERROR) {
          return new Failed(now + ", but " + e.getKey() + " is in error there and stays");
        }
        if (there && hosted(ss.state())) return new Waiting(now + "; " + describe(e.getKey(), s));
      }
      if (ms.spm() != null && node.equals(ms.spm().node())) {
        return new Waiting(now + "; it still holds the SPM role (" + SpmRole.describe(ms.spm()) + ")");
      }
      return new Done(node + " is in maintenance, its resources moved away");
    };
  }

  /** node shutdown: the node's daemon took the request and the manager shows the node offline (down cleanly). */
  static WaitGoal shutdown(String node) {
    return new WaitGoal() {
      @Override
      public Verdict check(Snapshot s) {
        ShutdownRequest req = s.shutdown();
        NodeState st = s.nodeState(node);
        if (req == null) return new Failed("the shutdown request of " + node + " is gone");
        if (!req.taken()) return new Waiting(node + " has not taken the request yet");
        NodeRecord rec = s.records().get(node);
        // its agent's last record says down cleanly: a reboot may bring it back online before the manager's
        // offline is seen, so that record counts as done too
        if (st == NodeState.OFFLINE || (rec != null && !rec.fenced() && rec.mode().down())) {
          return new Done(node + " is down cleanly" + (req.reboot() ? " for its reboot" : ""));
        }
        if (st == NodeState.FENCING || st == NodeState.FENCED) {
          return new Failed(node + " did not go down cleanly: it is " + st.label() + " (see palisade events)");
        }
        return new Waiting(node + " took the request and is " + (st == null ? "-" : st.label()));
      }

      @Override
      public String shutdownOf() {
        return node;
      }
    };
  }

  /** States in which a resource is (or may be) on its node. */
  private static boolean hosted(ServiceState st) {
    return switch (st) {
      case STARTED, REQUEST_STOP, MIGRATE, RELOCATE, FREEZE, FENCE, ERROR -> true;
      case REQUEST_START, STOPPED, DISABLED, RECOVERY, IGNORED -> false;
    };
  }

  /** The resource's state as an operator reads it: `svc:1 is relocate on node2 (to node3)`. */
  static String describe(String id, Snapshot s) {
    ServiceStatus ss = s.service(id);
    if (ss == null) return id + " is not known to the manager yet";
    String where = ss.node() == null ? "" : " on " + ss.node();
    String to = ss.target() == null ? "" : " (to " + ss.target() + ")";
    String unconfirmed = ss.state() == ServiceState.STARTED && !s.confirmedRunning(id, ss)
        ? " (its start is not confirmed by the agent yet)" : "";
    return id + " is " + ss.state().label() + where + to + unconfirmed;
  }
}
