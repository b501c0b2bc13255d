package palisade.core;

import java.util.List;

/**
 * Repair after a watchdog fence (DESIGN "Repair after a fence"), like oVirt's restart of a non-responsive host: a
 * node whose fence the watchdog confirmed, that has fence devices and has not rejoined within {@code repair_after},
 * is power-cycled once per fence generation through the power-fencing path (a proxy runs its levels: off, status
 * until off, on, status until on). It is a repair, not a fence: the node is fenced already and its resources are
 * recovered without it, so the order confirms nothing, nothing waits for it, and a failed cycle is not retried.
 */
final class Repair {
  private Repair() {}

  /**
   * Whether node's repair is due now. silentMs is how long this manager has not heard the node write its record;
   * its fence write came at L of that silence, so repair_after counts from the fence: due at L + repair_after. (A
   * new manager starts every node's timer at its take-over, so the wait is never shorter.)
   */
  static boolean due(Timing timing, ClusterConfig config, String node, NodeStatus st, NodeRecord rec,
      FenceHistory history, long silentMs) {
    long afterMs = config.repairAfterMs();
    if (afterMs <= 0 || st.state() != NodeState.FENCED || st.confirmation() == null
        || st.confirmation().kind() != ConfirmKind.WATCHDOG || config.nodes().get(node).fenceLevels().isEmpty()) {
      return false;
    }
    // Not rejoined: the record still is the fenced one of the confirmed generation. A rebooted agent's first
    // write clears the fence flag, and from then on the node is left alone.
    if (rec == null || !rec.fenced() || rec.generation() != st.generation()) return false;
    return silentMs >= timing.leaseMs() + afterMs && !history.repairOrdered(node, st.generation());
  }

  /** Orders the power cycle from proxy, and writes the order's line (the once-per-generation mark) with it. */
  static void order(Working w, String node, NodeStatus st, String proxy, List<List<String>> levels, String manager,
      long wallMs) {
    Check.that(st.state() == NodeState.FENCED && !proxy.equals(node), "repair of %s (%s) via %s", node, st, proxy);
    FenceTask t = new FenceTask(node, w.newToken(), st.generation(), proxy, levels, true);
    w.setFenceTask(node, t, "repair: fenced by watchdog and not back within repair_after: power cycle via " + proxy
        + ", attempt " + t.attempt());
    w.addHistory(new FenceEntry(node, st.generation(), 0, devices(levels), FenceEntry.CYCLE, "ordered via " + proxy
        + " (attempt " + t.attempt() + ")", manager, wallMs, wallMs));
  }

  /** Ends a repair order once its cycle finished or failed, or the node is no longer the one fenced. */
  static void follow(Working w, String node, NodeStatus st, NodeRecord rec, FenceTask task, FenceHistory history,
      String manager) {
    Check.that(task.repair() && task.target().equals(node), "repair follow-up of %s for %s", node, task);
    boolean sameEpisode = st.state() == NodeState.FENCED && rec != null && rec.fenced()
        && rec.generation() == task.generation() && st.generation() == task.generation();
    if (!sameEpisode) {
      w.setFenceTask(node, null, node + " is " + st.state().label() + (rec != null && !rec.fenced() ? " and back" : "")
          + ": repair order " + task.attempt() + " closed");
    } else if (history.summary(node, task.attempt(), FenceEntry.ON_CONFIRMED) != null) {
      w.setFenceTask(node, null, "repair power cycle of " + node + " complete: powered on again");
    } else if (history.summary(node, task.attempt(), FenceEntry.ON_FAILED) != null) {
      w.setFenceTask(node, null, "ALERT: repair of " + node + ": it did not power on again: left off");
    } else if (history.summary(node, task.attempt(), FenceEntry.ALL_FAILED) != null) {
      w.setFenceTask(node, null, "ALERT: repair power cycle of " + node + " failed at every level (attempt "
          + task.attempt() + "); not retried (once per fence generation)");
    } else if (history.summary(node, task.attempt(), FenceEntry.OFF_CONFIRMED) == null
        && !task.proxy().equals(manager) && w.nodeState(task.proxy()) != NodeState.ONLINE) {
      w.setFenceTask(node, null, "proxy " + task.proxy() + " is " + w.nodeState(task.proxy()).label()
          + ": repair order withdrawn (not retried)");
    }
  }

  /** The levels' devices as the history names them: `bmc3,pdu3 / pdu3b` (levels by `/`, a level's by `,`). */
  private static String devices(List<List<String>> levels) {
    return String.join("/", levels.stream().map(l -> String.join(",", l)).toList());
  }
}
