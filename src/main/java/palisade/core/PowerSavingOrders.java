package palisade.core;

import java.util.List;

/**
 * Power saving's power orders ({@link PowerSaving}): a standby node powered off or on by a proxy through its fence
 * devices, as a {@link FenceTask} with {@code saving} set (never a fence: it confirms nothing). The order's
 * generation is the version of the node's record this manager saw when it ordered: a power on is done once the
 * node's agent has written a newer one.
 */
final class PowerSavingOrders {
  private static final String TAG = "power saving: ";

  private PowerSavingOrders() {}

  /** Follows every power saving order; whether one still stands (one at a time). */
  static boolean follow(PowerSaving.Round r) {
    Working w = r.w();
    boolean standing = false;
    for (String n : List.copyOf(w.fencing.keySet())) {
      FenceTask t = w.fencing.get(n);
      if (t.saving() != null && !follow(r, n, t)) standing = true;
    }
    return standing;
  }

  /** One order: closed (true) once done, failed, orphaned or moot. */
  private static boolean follow(PowerSaving.Round r, String n, FenceTask t) {
    Working w = r.w();
    NodeStatus st = w.node(n);
    if (st.state() != NodeState.STANDBY) {
      w.setFenceTask(n, null, TAG + n + " is " + st.state().label() + ": order " + t.attempt() + " closed");
      return true;
    }
    FenceEntry last = r.history().lastSaving(n);
    String result = last != null && last.attempt() == t.attempt() ? last.result() : null;
    if (t.saving() == PowerAction.OFF) {
      if (FenceEntry.SAVING_OFF.equals(result)) {
        w.setFenceTask(n, null, TAG + n + " powered off via " + t.proxy() + " (" + last.device() + ")");
        return true;
      }
      if (FenceEntry.ALL_FAILED.equals(result)) {
        w.setFenceTask(n, null, "ALERT: " + TAG + "every fence level of " + n + " failed to power it off");
        w.setNode(n, new NodeStatus(NodeState.ONLINE, st.generation(), st.confirmation()), TAG
            + "power off failed: back in use");
        return true;
      }
    } else {
      NodeRecord rec = r.records().get(n);
      NodeTimer timer = r.timers().get(n);
      boolean rewritten = rec != null && !rec.fenced() && !rec.mode().down() && timer.version() > t.generation()
          && timer.silentMs(r.nowMs()) < r.timing().unknownAfterMs();
      if (rewritten) {
        w.setFenceTask(n, null, TAG + n + " is back: order " + t.attempt() + " done");
        w.setNode(n, new NodeStatus(NodeState.ONLINE, st.generation(), st.confirmation()), TAG
            + "powered on and renewing again");
        return true;
      }
      if (FenceEntry.ON_FAILED.equals(result)) {
        w.setFenceTask(n, null, "ALERT: " + TAG + n + " did not power on: left in standby");
        return true;
      }
      if (result != null) return false; // powered on: waiting for its agent
    }
    if (result == null && !t.proxy().equals(r.manager()) && w.nodeState(t.proxy()) != NodeState.ONLINE) {
      w.setFenceTask(n, null, TAG + "proxy " + t.proxy() + " is " + w.nodeState(t.proxy()).label()
          + ": order withdrawn");
      return true;
    }
    return false;
  }

  /**
   * A standby node with no order whose power off was never confirmed (its order was withdrawn: the proxy went away)
   * is ordered off again; whether one was.
   */
  static boolean resume(PowerSaving.Round r, List<String> standby) {
    for (String n : standby) {
      if (r.w().fencing.containsKey(n) || r.config().nodes().get(n).fenceLevels().isEmpty()) continue;
      FenceEntry last = r.history().lastSaving(n);
      if (last == null || (!last.result().equals(FenceEntry.SAVING_OFF)
          && !last.result().equals(FenceEntry.ON_FAILED))) {
        order(r, n, PowerAction.OFF);
        return true;
      }
    }
    return false;
  }

  /** Empties are done: n goes to standby and a proxy powers it off. */
  static void standby(PowerSaving.Round r, String n, String why) {
    Working w = r.w();
    NodeStatus st = w.node(n);
    Check.that(st.state() == NodeState.ONLINE && !w.fencing.containsKey(n), "%s: standby from %s", n, st);
    w.setNode(n, new NodeStatus(NodeState.STANDBY, st.generation(), st.confirmation()), TAG + why + "; emptied");
    order(r, n, PowerAction.OFF);
  }

  /**
   * Powers on the lowest-named standby node that is off (its off order done) and whose last power on did not fail;
   * a standby node whose off order is still to be given gets it first. Nothing if none.
   */
  static void wake(PowerSaving.Round r, List<String> standby, String why) {
    for (String n : standby) {
      FenceEntry last = r.history().lastSaving(n);
      // its devices removed from the configuration since: only the operator can power it on now
      if (r.config().nodes().get(n).fenceLevels().isEmpty()) continue;
      if (last != null && last.result().equals(FenceEntry.ON_FAILED)) continue;
      if (last == null || !last.result().equals(FenceEntry.SAVING_OFF)) {
        // Never confirmed off (its order was withdrawn): power it off first, so that it boots afresh.
        r.w().event(TAG + n + " is to be powered on (" + why + "); its power off is not confirmed yet");
        order(r, n, PowerAction.OFF);
        return;
      }
      r.w().event(TAG + "powering " + n + " on: " + why);
      order(r, n, PowerAction.ON);
      return;
    }
  }

  private static void order(PowerSaving.Round r, String n, PowerAction action) {
    // A manager that took over on a node an earlier manager was putting in standby: that node is up, and no
    // manager powers its own node (its agent's renewals bring it back online).
    if (n.equals(r.manager())) return;
    Working w = r.w();
    FenceProxies.Choice choice = FenceProxies.choose(r.config(), n, r.manager(),
        p -> w.nodeState(p) == NodeState.ONLINE && r.records().containsKey(p), null);
    Check.that(!choice.node().equals(n), "power saving order for %s via itself", n);
    FenceTask t = new FenceTask(n, w.newToken(), r.timers().get(n).version(), choice.node(),
        r.config().nodes().get(n).fenceLevels(), false, choice.reason(), action);
    w.setFenceTask(n, t, TAG + "power " + action.label() + " of " + n + " via " + choice.node() + " ("
        + choice.reason() + "), attempt " + t.attempt());
  }
}
