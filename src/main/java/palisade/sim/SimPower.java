package palisade.sim;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import palisade.core.Callback;
import palisade.core.Durations;
import palisade.core.FenceDriver;
import palisade.core.NodeConfig;
import palisade.core.PowerAction;

/**
 * The simulated power switches and what they feed. A device of a single-device level is a BMC: it switches the
 * machine itself and reports the machine's power. The devices of a level of several (two PDU outlets feeding a host
 * with two power supplies) are its feeds: each switches its own outlet and reports that outlet's state; the host is
 * off only while every feed is off, and one feed coming on is enough to run it.
 *
 * <p>A device answers after its declared delay (`fence-device NAME type=sim delay=D`), or 100-500 ms; `slow D` makes
 * it answer after D from then on; `fail` makes every call an error.
 */
final class SimPower {
  /** One switch: answering or not, its declared answer delay (-1: the default draw), and its slowness (0: none). */
  private record Device(boolean answering, long delayMs, long slowMs) {}

  private final SimWorld world;
  private final TreeMap<String, Device> devices = new TreeMap<>();
  /** device -> the targets whose outlet on it is off. */
  private final TreeMap<String, TreeSet<String>> outletsOff = new TreeMap<>();

  SimPower(SimWorld world) {
    this.world = world;
  }

  void add(String device, long delayMs) {
    devices.put(device, new Device(true, delayMs, 0));
  }

  /** `fence-device DEV fail|ok|slow D`: ok ends a slowness too. */
  void set(String device, boolean ok, long slowMs) {
    Device d = devices.getOrDefault(device, new Device(false, -1, 0));
    devices.put(device, new Device(ok, d.delayMs(), slowMs));
    world.log("world", "fence device " + device + (!ok ? " stops answering" : slowMs > 0 ? " answers after "
        + Durations.format(slowMs) + " from now on" : " answers again"));
  }

  /** A power-fence device call from a proxy node: the device acts on the target's power when it answers. */
  void call(SimNode proxy, String device, String target, PowerAction action, Callback<FenceDriver.Outcome> done) {
    long started = world.now();
    long inc = proxy.incarnation;
    world.at(world.now() + answerDelayMs(device, 100 + world.random().nextInt(400)), () -> {
      FenceDriver.Outcome result = act(device, target, action, started);
      world.atSoftware(proxy, world.now(), inc, () -> {
        done.done(result, proxy.localNow());
        world.afterSoftware(proxy);
      });
    });
  }

  /** How long a call to device takes to answer; drawn is the default draw (always made: runs replay). */
  long answerDelayMs(String device, long drawn) {
    Device d = devices.get(device);
    if (d == null) return drawn;
    if (d.slowMs() > 0) return d.slowMs();
    return d.delayMs() >= 0 ? d.delayMs() : drawn;
  }

  /** The device acts now, at the end of its delay, on target's power; the outcome of the call started at startedMs. */
  FenceDriver.Outcome act(String device, String target, PowerAction action, long startedMs) {
    SimNode t = world.node(target);
    Device d = devices.get(device);
    long now = world.now();
    if (d == null || !d.answering() || t == null) {
      return new FenceDriver.Outcome(false, false, "device " + device + " does not answer", startedMs, now);
    }
    List<String> feeds = feeds(target);
    if (!feeds.contains(device)) { // a BMC: the machine itself
      switch (action) {
        case OFF -> world.powerOff(target, "fenced by " + device);
        case ON -> {
          if (!fed(target, feeds)) {
            return new FenceDriver.Outcome(false, false, "no power on any feed of " + target, startedMs, now);
          }
          world.bootUp(target);
        }
        case STATUS -> { }
      }
      return new FenceDriver.Outcome(true, t.powered, "", startedMs, now);
    }
    TreeSet<String> off = outletsOff.computeIfAbsent(device, k -> new TreeSet<>());
    switch (action) {
      case OFF -> {
        if (off.add(target)) world.log("world", target + ": feed " + device + " off");
        if (!fed(target, feeds)) world.powerOff(target, "every feed off, the last by " + device);
      }
      case ON -> {
        if (off.remove(target)) world.log("world", target + ": feed " + device + " on");
        world.bootUp(target);
      }
      case STATUS -> { }
    }
    return new FenceDriver.Outcome(true, !off.contains(target), "", startedMs, now);
  }

  /** The operator powers the machine on by hand: every outlet feeding it is switched on too. */
  void restore(String target) {
    for (TreeSet<String> off : outletsOff.values()) off.remove(target);
  }

  /** Physical truth: is target fed by at least one outlet (always, for a machine without feeds)? */
  boolean fed(String target) {
    return fed(target, feeds(target));
  }

  private boolean fed(String target, List<String> feeds) {
    if (feeds.isEmpty()) return true;
    for (String f : feeds) {
      if (!outletsOff.getOrDefault(f, new TreeSet<>()).contains(target)) return true;
    }
    return false;
  }

  /** The devices of target's levels of several devices, sorted, as the configuration in the store names them. */
  private List<String> feeds(String target) {
    NodeConfig nc = world.config().nodes().get(target);
    if (nc == null) return List.of();
    TreeSet<String> feeds = new TreeSet<>();
    for (List<String> level : nc.fenceLevels()) {
      if (level.size() > 1) feeds.addAll(level);
    }
    return List.copyOf(feeds);
  }
}
