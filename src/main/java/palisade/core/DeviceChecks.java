package palisade.core;

import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fence devices known to work (DESIGN "Fence devices known to work"): every {@code fence_device_check} the manager
 * orders a proxy (chosen as for a fence) to ask every fence device for its status; the proxy writes one `check` line
 * per device to the fence history. A device whose newest check failed is an ALERT event, once per change of its
 * health, so that an admin learns of an expired BMC password before the night a node dies.
 */
final class DeviceChecks {
  /** The manager's memory across rounds: when the next check is due, and each device's health as last reported. */
  static final class Memory {
    private long nextCheckMs = -1;
    private long orderedAtMs = -1;
    private final TreeMap<String, Boolean> healthy = new TreeMap<>();
  }

  /** A check order not done after this long (or its period, if longer) is withdrawn; the next one is due then. */
  static final long ORDER_TIMEOUT_MS = 120_000;

  private DeviceChecks() {}

  static void step(ClusterConfig config, Working w, FenceHistory history, Memory m, String manager, EventLog log,
      long nowMs) {
    SortedMap<String, String> devices = DeviceCheckOrder.devicesOf(config);
    m.healthy.keySet().retainAll(devices.keySet());
    report(devices, history, m, log);
    long period = config.fence().deviceCheckMs();
    DeviceCheckOrder o = w.deviceCheck();
    if (o != null) {
      if (m.orderedAtMs < 0) m.orderedAtMs = nowMs; // an order of a previous manager: its time counts from now
      if (done(o, history)) {
        w.setDeviceCheck(null, "fence device check " + o.token() + " done");
      } else if (!o.proxy().equals(manager) && w.nodeState(o.proxy()) != NodeState.ONLINE) {
        w.setDeviceCheck(null, "fence device check " + o.token() + ": proxy " + o.proxy() + " is "
            + w.nodeState(o.proxy()).label() + ": order withdrawn");
        m.nextCheckMs = nowMs; // again at once, via another proxy
      } else if (nowMs - m.orderedAtMs > Math.max(ORDER_TIMEOUT_MS, period)) {
        w.setDeviceCheck(null, "ALERT: fence device check " + o.token() + " via " + o.proxy() + " not done after "
            + Durations.format(nowMs - m.orderedAtMs) + ": order withdrawn");
      }
      return;
    }
    if (period == 0 || devices.isEmpty()) return;
    // A new manager checks one period after it took over; a period shortened at runtime applies from now.
    if (m.nextCheckMs < 0 || m.nextCheckMs > nowMs + period) m.nextCheckMs = nowMs + period;
    if (nowMs < m.nextCheckMs) return;
    FenceProxies.Choice proxy = FenceProxies.choose(config, null, manager,
        n -> w.nodeState(n) == NodeState.ONLINE, null);
    DeviceCheckOrder order = new DeviceCheckOrder(w.newToken(), proxy.node(), devices);
    w.setDeviceCheck(order, "fence device check " + order.token() + " of " + devices.size() + " device(s) via "
        + proxy.node() + " (" + proxy.reason() + ")");
    m.orderedAtMs = nowMs;
    m.nextCheckMs = nowMs + period;
  }

  /** Every device of the order has its check line. */
  private static boolean done(DeviceCheckOrder o, FenceHistory history) {
    for (String d : o.devices().keySet()) {
      FenceEntry e = history.lastCheck(d);
      if (e == null || e.attempt() != o.token()) return false;
    }
    return true;
  }

  /** One event per change of a device's health (a device never reported is taken as healthy until checked). */
  private static void report(SortedMap<String, String> devices, FenceHistory history, Memory m, EventLog log) {
    for (String d : devices.keySet()) {
      FenceEntry e = history.lastCheck(d);
      if (e == null) continue;
      boolean ok = e.checkOk();
      if (m.healthy.getOrDefault(d, true) == ok) {
        m.healthy.put(d, ok);
        continue;
      }
      m.healthy.put(d, ok);
      log.event("manager", ok ? "fence device " + d + " passed its status check again (via " + e.executor() + ")"
          : "ALERT: fence device " + d + " failed its status check (via " + e.executor() + ", asked about "
          + e.target() + "): " + e.result());
    }
  }
}
