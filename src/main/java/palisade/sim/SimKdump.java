package palisade.sim;

import java.util.TreeMap;
import palisade.core.Callback;
import palisade.core.Durations;
import palisade.core.KdumpDriver;

/**
 * Kernel crashes with kdump (`kdump NODE`): the node's processes die at once, its power stays on while the capture
 * kernel dumps for `kdump_time`, sending its kdump message to the cluster within 2 s of the crash and every 5 s
 * after; then the node reboots. A power-off ends the dump. Fence proxies listen for the messages (fence_kdump).
 */
public final class SimKdump {
  /** The crashing kernel's first message comes within this of the crash. */
  static final long FIRST_MESSAGE_MAX_MS = 2_000;
  /** fence_kdump_send's interval in the simulation. */
  static final long MESSAGE_INTERVAL_MS = 5_000;
  /** How often a listener looks for a message that arrived. */
  private static final long LISTEN_STEP_MS = 500;

  /** One dump: the machine life it belongs to, its first message, and when it ends. */
  private record Dump(long incarnation, long firstMs, long endMs) {}

  private final SimWorld world;
  private final TreeMap<String, Dump> dumps = new TreeMap<>();

  SimKdump(SimWorld world) {
    this.world = world;
  }

  /** The kernel of name crashes: everything it ran dies now; the dump starts; the node reboots when it ends. */
  public void crash(String name) {
    SimNode n = world.node(name);
    if (!n.powered || !n.booted || dumping(name)) return;
    long kdumpMs = world.options().kdumpMs;
    world.log("world", name + ": kernel crash: its processes are dead; kdump runs for " + Durations.format(kdumpMs));
    world.physical().killAll(n, "kernel crash");
    n.halt();
    n.powered = true; // the capture kernel runs on: power stays on until the dump ends
    Dump d = new Dump(n.incarnation, world.now() + 1 + world.random().nextInt((int) FIRST_MESSAGE_MAX_MS),
        world.now() + kdumpMs);
    dumps.put(name, d);
    world.topologyChanged();
    world.at(d.endMs(), () -> {
      if (dumps.get(name) != d) return;
      dumps.remove(name);
      if (n.incarnation != d.incarnation() || !n.powered) return; // powered off mid-dump: the dump is lost
      world.log("world", name + ": kdump finished: rebooting");
      world.at(world.now() + world.options().bootMs, () -> {
        if (n.incarnation != d.incarnation() || !n.powered || n.booted) return;
        world.log("world", name + ": booted");
        n.boot();
        world.topologyChanged();
      });
    });
  }

  /** Whether name's capture kernel is dumping now (its power was not cut since the crash). */
  boolean dumping(String name) {
    Dump d = dumps.get(name);
    SimNode n = world.node(name);
    return d != null && n.incarnation == d.incarnation() && n.powered && world.now() < d.endMs();
  }

  /** One listener's wait: who listens, for whom, since when, until when, and whom to tell. */
  private record Listen(SimNode proxy, long incarnation, String target, long startedMs, long deadlineMs,
      long timeoutMs, Callback<KdumpDriver.Outcome> done) {}

  /** fence_kdump on proxy: waits up to timeoutMs (its own clock) for a message of target that reaches it. */
  void listen(SimNode proxy, String target, long timeoutMs, Callback<KdumpDriver.Outcome> done) {
    long now = world.now();
    step(new Listen(proxy, proxy.incarnation, target, now, now + proxy.realDelay(timeoutMs), timeoutMs, done), now);
  }

  private void step(Listen l, long sinceMs) {
    world.at(Math.min(l.deadlineMs(), world.now() + LISTEN_STEP_MS), () -> {
      boolean heard = messageBetween(l.proxy(), l.target(), sinceMs, world.now());
      if (!heard && world.now() < l.deadlineMs()) {
        step(l, world.now());
        return;
      }
      KdumpDriver.Outcome o = new KdumpDriver.Outcome(heard, heard ? "" : "no kdump message from " + l.target()
          + " within " + Durations.format(l.timeoutMs()), l.startedMs(), world.now());
      world.atSoftware(l.proxy(), world.now(), l.incarnation(), () -> {
        l.done().done(o, l.proxy().localNow());
        world.afterSoftware(l.proxy());
      });
    });
  }

  /** A message of target's dump sent in (fromMs, toMs] that reached proxy (networked, the same side). */
  private boolean messageBetween(SimNode proxy, String target, long fromMs, long toMs) {
    Dump d = dumps.get(target);
    SimNode t = world.node(target);
    if (d == null || t == null || t.incarnation != d.incarnation() || !t.powered) return false;
    if (!t.netUp || !proxy.netUp || t.side != proxy.side) return false;
    long k = Math.max(0, Math.floorDiv(fromMs - d.firstMs(), MESSAGE_INTERVAL_MS) + 1);
    if (fromMs < d.firstMs()) k = 0;
    long m = d.firstMs() + k * MESSAGE_INTERVAL_MS;
    return m > fromMs && m <= toMs && m < d.endMs();
  }
}
