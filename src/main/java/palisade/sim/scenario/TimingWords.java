package palisade.sim.scenario;

import java.util.List;
import java.util.Map;
import palisade.core.ConfigException;
import palisade.core.Durations;
import palisade.core.Manager;
import palisade.core.ManagerLease;
import palisade.core.StorePaths;
import palisade.core.Timing;
import palisade.sim.SimNode;
import palisade.sim.SimWorld;

/**
 * The scenario words of a live timing change (DESIGN "Changing timings live"): the action
 * `at TIME timing renew=D ack=D watchdog=D lease=D` and the expectation `expect at TIME timing lease=D watchdog=D`.
 */
final class TimingWords {
  private static final List<String> ACTION_KEYS = List.of("renew", "ack", "watchdog", "lease");
  private static final List<String> EXPECT_KEYS = List.of("lease", "watchdog");

  private TimingWords() {}

  /** `timing renew=D ack=D watchdog=D lease=D`, the words from `timing` on. */
  static Action.SetTiming action(List<String> a) {
    if (a.size() < 2) throw new ConfigException("timing: expected timing [renew=D] [ack=D] [watchdog=D] [lease=D]");
    Map<String, String> kv = DeclarationValues.keyValues(a.subList(1, a.size()), "timing", ACTION_KEYS);
    return new Action.SetTiming(ms(kv, "renew"), ms(kv, "ack"), ms(kv, "watchdog"), ms(kv, "lease"));
  }

  /** `timing lease=D watchdog=D`, the words after `expect at TIME`. */
  static Expectation.TimingIs expectation(List<String> e) {
    if (e.size() < 2) throw new ConfigException("expect timing: expected timing [lease=D] [watchdog=D]");
    Map<String, String> kv = DeclarationValues.keyValues(e.subList(1, e.size()), "expect timing", EXPECT_KEYS);
    return new Expectation.TimingIs(ms(kv, "lease"), ms(kv, "watchdog"));
  }

  private static long ms(Map<String, String> kv, String key) {
    String v = kv.get(key);
    if (v == null) return 0;
    long ms = Grammar.duration(v, "timing " + key);
    if (ms <= 0) throw new ConfigException("timing " + key + ": must be positive, got '" + v + "'");
    return ms;
  }

  /** The action's words after `timing`, as the parser reads them. */
  static String words(Action.SetTiming t) {
    return word("renew", t.renewMs()) + word("ack", t.ackMs()) + word("watchdog", t.watchdogMs())
        + word("lease", t.leaseMs());
  }

  private static String word(String key, long ms) {
    return ms == 0 ? "" : " " + key + "=" + Durations.format(ms);
  }

  /** The target the action asks for, from the current one; a ConfigException names what breaks. */
  static Timing target(Timing current, Action.SetTiming t) {
    long renew = t.renewMs() == 0 ? current.renewMs() : t.renewMs();
    return new Timing(renew, t.ackMs() == 0 ? current.ackMs() : t.ackMs(),
        t.watchdogMs() == 0 ? current.watchdogMs() : t.watchdogMs(), t.leaseMs() == 0 ? current.leaseMs()
        : t.leaseMs(), current.driftPpm(), Math.min(current.tickMs(), renew), current.restartHoldMs());
  }

  /**
   * The operator writes the target to /config as the CLI does: validated first (a refused target writes nothing and
   * says why), and /timing seeded with the timing in force if no change was ever made.
   */
  static void apply(SimWorld world, Action.SetTiming a) {
    Timing current = world.config().timing();
    Timing target;
    try {
      target = target(current, a);
    } catch (ConfigException e) {
      world.log("operator", "timing change refused: " + e.getMessage());
      return;
    }
    world.operatorSeed(StorePaths.TIMING, current);
    world.operatorConfig("timing change: " + target.terms(), c -> c.withTiming(target));
  }

  /** Why the expectation fails, or null. */
  static String check(SimWorld world, Expectation.TimingIs x) {
    if (x.leaseMs() > 0) {
      ManagerLease lease = world.managerLease();
      SimNode holder = lease == null ? null : world.node(lease.holder());
      Manager m = holder == null || !holder.powered() ? null : holder.manager();
      if (m == null || m.role() != Manager.Role.ACTIVE) return "no active manager";
      if (m.timing().leaseMs() != x.leaseMs()) {
        return "the manager on " + holder.node() + " waits lease " + Durations.format(m.timing().leaseMs());
      }
    }
    if (x.watchdogMs() > 0) {
      for (SimNode n : world.nodes().values()) {
        if (!n.powered() || n.agent() == null) continue;
        long claimMs = n.agent().claimedTiming().watchdogMs();
        long deviceMs = n.deviceTimeoutMs(); // 0: not armed, the next arm counts the claim
        if (claimMs != x.watchdogMs() || (deviceMs != 0 && deviceMs != x.watchdogMs())) {
          return n.node() + " claims watchdog " + Durations.format(claimMs) + (deviceMs == 0 ? "" : ", its device "
              + "counts " + Durations.format(deviceMs));
        }
      }
    }
    return null;
  }
}
