package palisade.sim;

import palisade.core.Callback;
import palisade.core.Durations;
import palisade.core.SoftFenceDriver;

/**
 * Faults of a machine's software and devices, short of power and network: lost or slow store acknowledgements, a
 * missing watchdog device, a hung daemon (`daemon NODE hang|ok`); and the soft fence that restarts a daemon over
 * SSH (DESIGN "Soft fencing").
 */
public final class SimNodeFaults {
  /** How long a daemon killed by a soft fence takes to start again (a supervisor's restart of the JVM). */
  static final long DAEMON_START_MS = 2_000;

  private SimNodeFaults() {}

  public static Void dropAcks(SimWorld world, String name, boolean on) {
    world.node(name).dropAcks = on;
    world.log("world", name + ": store acknowledgements " + (on ? "lost" : "delivered"));
    world.topologyChanged();
    return null;
  }

  /** The machine's watchdog device goes missing (or comes back) from its next boot on. */
  public static Void watchdogDevice(SimWorld world, String name, boolean present) {
    world.node(name).watchdogDevice = present;
    world.log("world", name + ": watchdog device " + (present ? "back" : "missing") + " from its next boot");
    return null;
  }

  public static Void slowAcks(SimWorld world, String name, long delayMs) {
    world.node(name).slowAckMs = delayMs;
    world.log("world", name + ": store acknowledgements delayed by " + delayMs + "ms");
    return null;
  }

  /**
   * The daemon alone freezes (as under SIGSTOP) or runs again: it stops renewing and feeding its watchdog, while the
   * host, its resources and its SSH server still answer. A watchdog, if any, keeps counting down.
   */
  public static void daemon(SimWorld world, String name, boolean hang) {
    SimNode n = world.node(name);
    if (!n.booted || n.hung == hang) return;
    n.hung = hang;
    world.log("world", name + ": daemon " + (hang ? "hangs (no renewal; host, resources and SSH still answer)"
        : "runs again"));
    world.topologyChanged();
  }

  /**
   * A soft fence from proxy: SSH reaches target when both are networked on the same side and target's host runs
   * (powered, not paused, its daemon's process there, hung or not); the restart kills that daemon and a new one starts after
   * {@link #DAEMON_START_MS}, adopting what runs. A powered-off, crashed, booting or partitioned target does not
   * answer: the restart fails.
   */
  static void softFence(SimWorld world, SimNode proxy, String target, Callback<SoftFenceDriver.Outcome> done) {
    long started = world.now();
    long inc = proxy.incarnation;
    world.at(world.now() + 200 + world.random().nextInt(500), () -> {
      SimNode t = world.node(target);
      boolean answers = t != null && t.powered && t.booted && t.pausedUntilMs <= world.now() && t.netUp
          && proxy.netUp && t.side == proxy.side; // a paused (frozen) host's SSH server is frozen too
      SoftFenceDriver.Outcome o;
      if (answers) {
        world.log("world", target + ": soft fence from " + proxy.name + ": daemon killed, starting again in "
            + Durations.format(DAEMON_START_MS));
        t.killDaemon(DAEMON_START_MS);
        o = new SoftFenceDriver.Outcome(true, "", started, world.now());
      } else {
        o = new SoftFenceDriver.Outcome(false, "ssh to " + target + ": no answer", started, world.now());
      }
      world.atSoftware(proxy, world.now(), inc, () -> {
        done.done(o, proxy.localNow());
        world.afterSoftware(proxy);
      });
    });
  }
}
