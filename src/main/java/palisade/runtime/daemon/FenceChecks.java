package palisade.runtime.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import palisade.core.EventLog;
import palisade.core.FenceDriver;
import palisade.core.PowerAction;

/**
 * A periodic check of every fence device this node declares: a status call, as a fence would make. Any node may be
 * the fence proxy, so each checks from where it stands. A device that fails gets one ALERT line (the notifications
 * match ALERTs), and a line when it passes again; nothing else is logged, so a healthy cluster's log stays quiet.
 * One device at a time: the checks hold at most one of the fence workers, and a real fence never waits for a
 * round. Runs on the event loop ({@link #round()} and the driver's callbacks); the core is not involved.
 */
final class FenceChecks {
  /** How often each device is checked (Pacemaker monitors a fence device every 60 s by default; BMCs are slow). */
  static final long INTERVAL_MS = 300_000;

  private final FenceDriver fences;
  private List<String> devices;
  private final EventLog log;
  private final String node;
  private final SortedSet<String> failing = new TreeSet<>();
  private boolean running;

  FenceChecks(FenceDriver fences, SortedSet<String> devices, EventLog log, String node) {
    this.fences = fences;
    this.devices = new ArrayList<>(devices);
    this.log = log;
    this.node = node;
  }

  /** The devices to check from the next round on (a fence device added or removed at runtime). */
  void devices(SortedSet<String> now) {
    devices = new ArrayList<>(now);
    failing.retainAll(now);
  }

  /** Starts a round unless one still runs (a device may take its whole deadline to answer). */
  void round() {
    if (running || devices.isEmpty()) return;
    running = true;
    check(0);
  }

  private void check(int i) {
    if (i >= devices.size()) { // a list changed mid-round only ends the round sooner or later
      running = false;
      return;
    }
    String device = devices.get(i);
    fences.run(device, null, PowerAction.STATUS, (o, now) -> {
      result(device, o);
      check(i + 1);
    });
  }

  private void result(String device, FenceDriver.Outcome o) {
    String source = node + "/fencer";
    if (!o.ok()) {
      if (failing.add(device)) {
        log.event(source, "ALERT: fence device " + device + " fails its check from " + node + ": " + o.detail());
      }
    } else if (failing.remove(device)) {
      log.event(source, "fence device " + device + " passes its check again (power " + (o.poweredOn() ? "on"
          : "off") + ")");
    }
  }

  /** The devices whose last check failed, for a test. */
  SortedSet<String> failing() {
    return new TreeSet<>(failing);
  }
}
