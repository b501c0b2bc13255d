package palisade.sim.scenario;

import java.util.Locale;
import palisade.core.ConfirmKind;
import palisade.core.FenceEntry;
import palisade.core.FenceHistory;
import palisade.core.FenceTask;
import palisade.core.ManagerState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.sim.SimWorld;

/**
 * The fence expectations of a scenario against the world now: confirmations, the fence history, the proxy of the
 * last order, a device's last status check. Each answers null when the expectation holds, else the facts.
 */
final class FenceFacts {
  private FenceFacts() {}

  static String fencedBy(ManagerState ms, String n, ConfirmKind kind) {
    NodeStatus ns = ms == null ? null : ms.nodes().get(n);
    if (ns == null || ns.confirmation() == null) return n + " has no confirmed fence";
    return ns.confirmation().kind() == kind ? null : n + " was fenced by "
        + ns.confirmation().kind().name().toLowerCase(Locale.ROOT);
  }

  static String historyHas(SimWorld world, String n, ConfirmKind k) {
    FenceHistory h = history(world);
    String kind = k.name().toLowerCase(Locale.ROOT);
    FenceEntry mine = h.lastOfKind(n, kind);
    // The record answers "when" too: a line of the kind without a time stamp does not count.
    if (mine != null && mine.startedMs() > 0) return null;
    if (mine != null) return n + "'s " + kind + " line has no time: " + mine.describe();
    FenceEntry last = lastOf(h, n);
    return n + " has no " + kind + " line in the fence history" + (last == null ? " (none at all)"
        : " (last: " + last.describe() + ")");
  }

  /**
   * The proxy of n's most recent fence (or repair) order: the order in the manager's state while it stands, else
   * the executor of the newest proxy line of n in the history; null if there was none.
   */
  static String lastProxy(SimWorld world, ManagerState ms, String n) {
    FenceTask t = ms == null ? null : ms.fencing().get(n);
    if (t != null) return t.proxy();
    FenceHistory h = history(world);
    for (int i = h.entries().size() - 1; i >= 0; i--) {
      FenceEntry e = h.entries().get(i);
      if (e.target().equals(n) && e.level() > 0 && !e.action().equals(FenceEntry.CHECK)) return e.executor();
    }
    return null;
  }

  /** The newest status check of device in the history: ok, or failed. */
  static String deviceIs(SimWorld world, String device, boolean ok) {
    FenceEntry e = history(world).lastCheck(device);
    if (e == null) return "fence device " + device + " was never checked";
    return e.checkOk() == ok ? null : "fence device " + device + "'s last check: " + e.describe();
  }

  private static FenceHistory history(SimWorld world) {
    Versioned<Object> v = world.store().get(StorePaths.FENCE_HISTORY);
    return v == null ? FenceHistory.empty() : (FenceHistory) v.value();
  }

  private static FenceEntry lastOf(FenceHistory h, String node) {
    for (int i = h.entries().size() - 1; i >= 0; i--) {
      if (h.entries().get(i).target().equals(node)) return h.entries().get(i);
    }
    return null;
  }

  /** `cluster armed|disarmed`: null when the manager's state says so, else what it says. */
  static String clusterIs(ManagerState ms, boolean armed) {
    palisade.core.HaMode ha = ms == null ? palisade.core.HaMode.ARMED : ms.ha();
    boolean holds = armed ? ha.managing() : ha.phase() == palisade.core.HaMode.Phase.DISARMED;
    return holds ? null : "the cluster is " + ha.label();
  }
}
