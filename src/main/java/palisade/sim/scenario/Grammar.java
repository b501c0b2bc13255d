package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import palisade.core.ConfigException;
import palisade.core.ConfirmKind;
import palisade.core.Durations;
import palisade.core.HaMode;
import palisade.core.NodeState;
import palisade.core.ServiceState;
import palisade.sim.scenario.Action.ServiceCommand;

/**
 * The words of actions and expectations, read once into records. Syntax only: whether a node, resource or device
 * exists is {@link Scenario}'s check, the same for parsed and generated records. Errors are ConfigExceptions that
 * the caller prefixes with FILE:LINE.
 */
final class Grammar {
  static final String ACTIONS = "power, network, partition, heal, pause, reboot, shutdown, service, maintenance, "
      + "fence confirm, fence-device, drop-acks, slow-acks, watchdog, node NODE restart-daemon, node add|remove NODE, "
      + "kdump, daemon, usage, timing, disarm, arm, spm move, freeze";

  private Grammar() {}

  /** The words after `at TIME`. */
  static Action action(List<String> a) {
    String what = a.get(0);
    return switch (what) {
      case "power" -> {
        arity(a, 3, "power NODE on|off");
        yield new Action.Power(a.get(1), onOff(a.get(2), what));
      }
      case "network" -> {
        arity(a, 3, "network NODE on|off");
        yield new Action.Network(a.get(1), onOff(a.get(2), what));
      }
      case "partition" -> {
        String sides = String.join(" ", a.subList(1, a.size()));
        if (sides.isBlank()) throw error("partition: name the sides, e.g. partition node1,node2 | node3");
        List<List<String>> parsed = new ArrayList<>();
        for (String side : sides.split("\\|")) parsed.add(Arrays.asList(side.trim().split("[,\\s]+")));
        yield new Action.Partition(parsed);
      }
      case "heal" -> {
        arity(a, 1, "heal");
        yield new Action.Heal();
      }
      case "pause" -> {
        arity(a, 3, "pause NODE DURATION");
        yield new Action.Pause(a.get(1), duration(a.get(2), "pause"));
      }
      case "reboot" -> {
        arity(a, 2, "reboot NODE");
        yield new Action.Reboot(a.get(1));
      }
      case "shutdown" -> {
        arity(a, 2, "shutdown NODE");
        yield new Action.Shutdown(a.get(1));
      }
      case "node" -> {
        if (a.size() >= 3 && List.of("add", "remove", "set").contains(a.get(1))) yield member(a);
        if (!(a.size() == 3 || a.size() == 5) || !a.get(2).equals("restart-daemon")
            || (a.size() == 5 && !a.get(3).equals("for"))) {
          throw error("node: expected node NODE restart-daemon [for DURATION], got '" + String.join(" ", a) + "'");
        }
        yield new Action.RestartDaemon(a.get(1), a.size() == 5 ? duration(a.get(4), "restart-daemon")
            : Action.RestartDaemon.DEFAULT_DAEMON_DOWN_MS);
      }
      case "service" -> service(a);
      case "maintenance" -> {
        arity(a, 3, "maintenance NODE on|off");
        yield new Action.Maintenance(a.get(1), onOff(a.get(2), what));
      }
      case "fence" -> {
        if (a.size() == 3 && a.get(1).equals("node")) yield new Action.FenceNode(a.get(2));
        if (a.size() < 3 || a.size() > 4 || !a.get(1).equals("confirm") || (a.size() == 4 && !a.get(3)
            .equals("if-off"))) {
          throw error("fence: expected fence confirm NODE [if-off] or fence node NODE, got '" + String.join(" ", a) + "'");
        }
        yield new Action.FenceConfirm(a.get(2), a.size() == 4);
      }
      case "fence-device" -> fenceDevice(a);
      case "drop-acks" -> {
        arity(a, 3, "drop-acks NODE on|off");
        yield new Action.DropAcks(a.get(1), onOff(a.get(2), what));
      }
      case "slow-acks" -> {
        arity(a, 3, "slow-acks NODE DURATION");
        yield new Action.SlowAcks(a.get(1), duration(a.get(2), "slow-acks"));
      }
      case "watchdog" -> watchdog(a);
      case "kdump", "daemon" -> hostFault(a);
      case "freeze" -> freeze(a);
      case "usage" -> OperatorActions.usage(a);
      case "timing" -> TimingWords.action(a);
      case "disarm", "arm" -> ha(a);
      case "spm" -> spmMove(a);
      default -> throw error("unknown action '" + what + "' (expected " + ACTIONS + ")");
    };
  }

  /** `watchdog NODE missing|ok`. */
  private static Action watchdog(List<String> a) {
    arity(a, 3, "watchdog NODE missing|ok");
    if (!a.get(2).equals("missing") && !a.get(2).equals("ok")) {
      throw error("watchdog: expected missing or ok, got '" + a.get(2) + "'");
    }
    return new Action.WatchdogDevice(a.get(1), a.get(2).equals("ok"));
  }

  /** `node add NODE [KEY=VALUE ...]`, `node remove NODE` or `node set NODE KEY=VALUE ...`. */
  private static Action member(List<String> a) {
    var verb = OperatorWords.Verb.valueOf(a.get(1).toUpperCase(java.util.Locale.ROOT));
    if (verb == OperatorWords.Verb.REMOVE) arity(a, 3, "node remove NODE");
    if (verb == OperatorWords.Verb.SET && a.size() < 4) throw error("node set: expected node set NODE KEY=VALUE");
    java.util.TreeMap<String, String> settings = new java.util.TreeMap<>();
    for (String kv : a.subList(3, a.size())) {
      int eq = kv.indexOf('=');
      if (eq <= 0) throw error("node " + a.get(1) + ": expected KEY=VALUE (as a node declaration's), got '" + kv + "'");
      settings.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return new OperatorWords.Member(a.get(2), verb, settings);
  }

  /** `spm move NODE`. */
  private static Action spmMove(List<String> a) {
    arity(a, 3, "spm move NODE");
    if (!a.get(1).equals("move")) throw error("spm: expected spm move NODE, got '" + String.join(" ", a) + "'");
    return new OperatorWords.SpmMove(a.get(2));
  }

  /** `disk D held by NODE[|NODE...]` or `disk D free`. */
  private static Expectation disk(List<String> e) {
    if (e.size() == 3 && e.get(2).equals("free")) return new Expectation.DiskFree(e.get(1));
    if (e.size() != 5 || !e.get(2).equals("held") || !e.get(3).equals("by")) {
      throw error("expect disk: expected disk D held by NODE[|NODE...] or disk D free, got '" + String.join(" ", e)
          + "'");
    }
    return new Expectation.DiskHeld(e.get(1), nodes(e.get(4)));
  }

  /** `disarm freeze|ignore` or `arm`. */
  private static Action ha(List<String> a) {
    if (a.get(0).equals("arm")) {
      arity(a, 1, "arm");
      return new Action.Ha(null);
    }
    arity(a, 2, "disarm freeze|ignore");
    HaMode.Kind kind = HaMode.Kind.parse(a.get(1));
    if (kind == null) throw error("disarm: expected freeze or ignore, got '" + a.get(1) + "'");
    return new Action.Ha(kind);
  }

  /** `kdump NODE`, `daemon NODE hang|ok` or `daemon NODE restart` (node NODE restart-daemon). */
  private static Action hostFault(List<String> a) {
    if (a.get(0).equals("kdump")) {
      arity(a, 2, "kdump NODE");
      return new Action.HostFault(a.get(1), Action.HostFault.Kind.KDUMP);
    }
    arity(a, 3, "daemon NODE hang|ok|restart");
    if (a.get(2).equals("restart")) {
      return new Action.RestartDaemon(a.get(1), Action.RestartDaemon.DEFAULT_DAEMON_DOWN_MS);
    }
    if (!a.get(2).equals("hang") && !a.get(2).equals("ok")) {
      throw error("daemon: expected hang, ok or restart, got '" + a.get(2) + "'");
    }
    return new Action.HostFault(a.get(1), a.get(2).equals("hang") ? Action.HostFault.Kind.DAEMON_HANG
        : Action.HostFault.Kind.DAEMON_OK);
  }

  /** `freeze NODE DURATION`: the whole node, its watchdog included. */
  private static Action freeze(List<String> a) {
    arity(a, 3, "freeze NODE DURATION");
    long ms = duration(a.get(2), "freeze");
    if (ms == 0) throw error("freeze: the duration must be positive");
    return new Action.Freeze(a.get(1), ms);
  }

  /** `storage D last writer NODE[|NODE...]` or `storage D rejected stale writes from NODE`. */
  private static Expectation storage(List<String> e) {
    if (e.size() == 5 && e.get(2).equals("last") && e.get(3).equals("writer")) {
      return new Expectation.StorageWriter(e.get(1), nodes(e.get(4)));
    }
    if (e.size() == 7 && String.join(" ", e.subList(2, 6)).equals("rejected stale writes from")) {
      return new Expectation.StorageRejected(e.get(1), e.get(6));
    }
    throw error("expect storage: expected storage D last writer NODE[|NODE...] or storage D rejected stale writes "
        + "from NODE, got '" + String.join(" ", e) + "'");
  }

  /** `fence-device DEV fail|ok|slow DURATION`. */
  private static Action fenceDevice(List<String> a) {
    if (a.size() == 4 && a.get(2).equals("slow")) {
      long slow = duration(a.get(3), "fence-device slow");
      if (slow == 0) throw error("fence-device slow: the delay must be positive (ok ends a slowness)");
      return new Action.FenceDevice(a.get(1), true, slow);
    }
    arity(a, 3, "fence-device DEV fail|ok|slow DURATION");
    if (!a.get(2).equals("fail") && !a.get(2).equals("ok")) {
      throw error("fence-device: expected fail, ok or slow DURATION, got '" + a.get(2) + "'");
    }
    return new Action.FenceDevice(a.get(1), a.get(2).equals("ok"));
  }

  private static Action service(List<String> a) {
    if (a.size() < 3) throw error("service: expected service ID migrate|relocate NODE | stop [TIMEOUT]|start|disable|"
        + "enable|cleanup|delete|ignore | add node=NODE ...");
    switch (a.get(2)) {
      case "add" -> {
        return OperatorActions.add(a);
      }
      case "delete", "ignore" -> {
        arity(a, 3, "service ID " + a.get(2));
        return new Action.ServiceDrop(a.get(1), a.get(2).equals("delete"));
      }
      case "stop" -> {
        if (a.size() == 4) {
          // Proxmox gives the timeout in seconds (0: hard stop); a duration with its unit reads too.
          String t = a.get(3);
          return new Action.Service(a.get(1), ServiceCommand.STOP, null, duration(t.matches("\\d{1,6}") ? t + "s" : t,
              "service " + a.get(1) + " stop"));
        }
      }
      default -> { }
    }
    ServiceCommand c = ServiceCommand.parse(a.get(2));
    if (c == null) {
      throw error("service: unknown command '" + a.get(2)
          + "' (expected migrate, relocate, stop, start, disable, enable, cleanup, add, delete, ignore)");
    }
    if (c.takesNode()) {
      arity(a, 4, "service ID " + a.get(2) + " NODE");
      return new Action.Service(a.get(1), c, a.get(3));
    }
    arity(a, 3, "service ID " + a.get(2));
    return new Action.Service(a.get(1), c, null);
  }

  /** The words after `expect at TIME`. */
  /** The KIND of `fenced NODE by KIND` and `fence-history NODE has KIND` (word: by or has). */
  private static ConfirmKind confirmKind(List<String> e, String word, String shape) {
    String kinds = "watchdog|power|manual|kdump|agent";
    arity(e, 4, shape + kinds);
    if (!e.get(2).equals(word) || !List.of(kinds.split("\\|")).contains(e.get(3))) {
      throw error("expect " + e.get(0) + ": expected " + shape + kinds + ", got '" + String.join(" ", e) + "'");
    }
    return ConfirmKind.valueOf(e.get(3).toUpperCase(Locale.ROOT));
  }

  static Expectation instant(List<String> e) {
    switch (e.get(0)) {
      case "node" -> {
        if (e.size() == 4 && e.get(2).equals("powered")) {
          return new Expectation.Powered(e.get(1), onOff(e.get(3), "expect node powered"));
        }
        arity(e, 3, "node NODE STATE");
        return new Expectation.NodeState(e.get(1), nodeState(e.get(2)));
      }
      case "timing" -> { return TimingWords.expectation(e); }
      case "manager" -> {
        arity(e, 3, "manager on NODE[|NODE...]");
        if (!e.get(1).equals("on")) throw error("expect manager: expected manager on NODE");
        return new Expectation.ManagerOn(nodes(e.get(2)));
      }
      case "spm" -> {
        if (e.size() == 2 && e.get(1).equals("none")) return new Expectation.SpmNone();
        arity(e, 3, "spm on NODE[|NODE...] or spm none");
        if (!e.get(1).equals("on")) throw error("expect spm: expected spm on NODE[|NODE...] or spm none");
        return new Expectation.SpmOn(nodes(e.get(2)));
      }
      case "fenced" -> {
        return new Expectation.FencedBy(e.get(1), confirmKind(e, "by", "fenced NODE by "));
      }
      case "fence-history" -> {
        return new Expectation.FenceHistoryHas(e.get(1), confirmKind(e, "has", "fence-history NODE has "));
      }
      case "fence" -> {
        arity(e, 6, "fence proxy of NODE on NODE[|NODE...]");
        if (!e.get(1).equals("proxy") || !e.get(2).equals("of") || !e.get(4).equals("on")) {
          throw error("expect fence: expected fence proxy of NODE on NODE[|NODE...], got '" + String.join(" ", e)
              + "'");
        }
        return new Expectation.FenceProxy(e.get(3), nodes(e.get(5)));
      }
      case "fence-device" -> {
        arity(e, 3, "fence-device DEV failed|ok");
        if (!e.get(2).equals("failed") && !e.get(2).equals("ok")) {
          throw error("expect fence-device: expected failed or ok, got '" + e.get(2) + "'");
        }
        return new Expectation.FenceDeviceIs(e.get(1), e.get(2).equals("ok"));
      }
      case "converged" -> {
        arity(e, 1, "converged");
        return new Expectation.Converged();
      }
      case "cluster" -> { return cluster(e); }
      case "disk" -> { return disk(e); }
      case "storage" -> { return storage(e); }
      default -> {
        String id = e.get(0);
        if (e.size() >= 2 && e.get(1).equals("running")) {
          arity(e, 4, "ID running on NODE[|NODE...]");
          if (!e.get(2).equals("on")) throw error("expect: expected ID running on NODE");
          return new Expectation.RunningOn(id, nodes(e.get(3)));
        } else if (e.size() >= 2 && e.get(1).equals("not")) {
          arity(e, 3, "ID not running");
          if (!e.get(2).equals("running")) throw error("expect: expected ID not running");
          return new Expectation.NotRunning(id, List.of());
        } else if (e.size() >= 2 && e.get(1).equals("state")) {
          arity(e, 3, "ID state STATE");
          ServiceState st = ServiceState.parse(e.get(2));
          if (st == null) throw error("expect: unknown resource state '" + e.get(2) + "'");
          return new Expectation.ServiceIs(id, st);
        }
        throw error("expect: expected ID running on NODE, ID not running, ID state STATE, node NODE ..., "
            + "manager on NODE, spm on NODE, spm none, fenced NODE by KIND, fence-history NODE has KIND, "
            + "fence proxy of NODE on NODE, fence-device DEV failed|ok, cluster armed|disarmed, disk D held by NODE, "
            + "disk D free, storage D ... or converged");
      }
    }
  }

  /** `cluster armed|disarmed`. */
  private static Expectation cluster(List<String> e) {
    arity(e, 2, "cluster armed|disarmed");
    if (!e.get(1).equals("armed") && !e.get(1).equals("disarmed")) {
      throw error("expect cluster: expected armed or disarmed, got '" + e.get(1) + "'");
    }
    return new Expectation.ClusterIs(e.get(1).equals("armed"));
  }

  static final String INTERVAL_USAGE = "expected expect from TIME to TIME followed by ID always running on "
      + "NODE[|NODE...], ID never running [on NODE[|NODE...]], node NODE never STATE, spm never on NODE[|NODE...] "
      + "or manager never on NODE[|NODE...]";

  /** The words after `expect from TIME to TIME`: the facts that must hold at every event of the interval. */
  static Expectation interval(List<String> e) {
    if (e.get(0).equals("node")) {
      if (e.size() != 4 || !e.get(2).equals("never")) throw error("expect from: " + INTERVAL_USAGE + ", got '"
          + String.join(" ", e) + "'");
      return new Expectation.NodeNotIn(e.get(1), nodeState(e.get(3)));
    }
    if (e.get(0).equals("spm") || e.get(0).equals("manager")) {
      if (e.size() != 4 || !e.get(1).equals("never") || !e.get(2).equals("on")) {
        throw error("expect from: " + INTERVAL_USAGE + ", got '" + String.join(" ", e) + "'");
      }
      return e.get(0).equals("spm") ? new Expectation.SpmNotOn(nodes(e.get(3)))
          : new Expectation.ManagerNotOn(nodes(e.get(3)));
    }
    String id = e.get(0);
    if (e.size() == 5 && e.get(1).equals("always") && e.get(2).equals("running") && e.get(3).equals("on")) {
      return new Expectation.RunningOn(id, nodes(e.get(4)));
    }
    if (e.size() == 3 && e.get(1).equals("never") && e.get(2).equals("running")) {
      return new Expectation.NotRunning(id, List.of());
    }
    if (e.size() == 5 && e.get(1).equals("never") && e.get(2).equals("running") && e.get(3).equals("on")) {
      return new Expectation.NotRunning(id, nodes(e.get(4)));
    }
    throw error("expect from: " + INTERVAL_USAGE + ", got '" + String.join(" ", e) + "'");
  }

  // ---- small parsers ---------------------------------------------------------------------------------------------

  /** A time or duration of the file: at most {@link Scenario#MAX_RUN_MS}, so no sum of two can overflow. */
  static long duration(String word, String what) {
    long ms = Durations.parseMs(word, what);
    if (ms > Scenario.MAX_RUN_MS) {
      throw error(what + ": '" + word + "' is longer than the limit of " + Durations.format(Scenario.MAX_RUN_MS)
          + " (one day)");
    }
    return ms;
  }

  private static NodeState nodeState(String word) {
    NodeState st = NodeState.parse(word);
    if (st == null) {
      throw error("expect node: unknown state '" + word + "' (online, unknown, fencing, fenced, offline, maintenance, standby)");
    }
    return st;
  }

  private static List<String> nodes(String alternatives) {
    List<String> ns = List.of(alternatives.split("\\|"));
    if (ns.isEmpty() || ns.contains("")) throw error("expected NODE[|NODE...], got '" + alternatives + "'");
    return ns;
  }

  private static void arity(List<String> words, int n, String usage) {
    if (words.size() != n) throw error("expected " + usage + ", got '" + String.join(" ", words) + "'");
  }

  private static boolean onOff(String v, String where) {
    if (!v.equals("on") && !v.equals("off")) throw error(where + ": expected on or off, got '" + v + "'");
    return v.equals("on");
  }

  private static ConfigException error(String message) {
    return new ConfigException(message);
  }
}
