package palisade.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import palisade.core.Command;
import palisade.core.ConfirmKind;
import palisade.core.Durations;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestState;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;

/** Runs a scenario in a fresh world: schedules its actions and expectations, and reports the first failure. */
public final class ScenarioRunner {
  /** How a run ended: null failure = every expectation and invariant held. */
  public record Result(String failure, SimWorld world) {
    public boolean ok() {
      return failure == null;
    }
  }

  private final Scenario scenario;
  private final SimWorld world;
  /**
   * Random histories model an honest operator, who looks before confirming: `fence confirm` of a node that is
   * powered is not sent. A scenario file states its operator's actions exactly, lies included.
   */
  private final boolean operatorChecksPower;

  public ScenarioRunner(Scenario scenario, long seed, Consumer<String> out) {
    this(scenario, seed, out, false);
  }

  ScenarioRunner(Scenario scenario, long seed, Consumer<String> out, boolean operatorChecksPower) {
    this.scenario = scenario;
    this.world = new SimWorld(scenario.options, seed, out);
    this.operatorChecksPower = operatorChecksPower;
  }

  public SimWorld world() {
    return world;
  }

  public Result run() {
    try {
      world.build(scenario.config(), scenario.failStarts, scenario.fenceDevices, scenario.failMigrate);
      for (Scenario.Step a : scenario.actions) world.at(a.timeMs(), () -> act(a));
      for (Scenario.Step e : scenario.expectations) world.atEnd(e.timeMs(), () -> expect(e));
      world.run(scenario.runMs());
      return new Result(null, world);
    } catch (Violation v) {
      return new Result(v.getMessage(), world);
    } catch (palisade.core.Check.InvariantViolation v) {
      return new Result("core invariant violated at " + seconds(world.now()) + "s: " + v.getMessage(), world);
    }
  }

  private String where(Scenario.Step s) {
    return scenario.file() + ":" + s.line();
  }

  private static String seconds(long ms) {
    return String.format("%d.%03d", ms / 1000, ms % 1000);
  }

  /** `@manager` is the node holding the manager lease right now. */
  private String node(Scenario.Step s, String ref) {
    if (!ref.equals("@manager")) return ref;
    ManagerLease lease = world.managerLease();
    if (lease == null) throw new Violation(where(s) + ": at " + seconds(world.now()) + "s no node holds the manager lease");
    return lease.holder();
  }

  private void act(Scenario.Step s) {
    List<String> a = s.words();
    switch (a.get(0)) {
      case "power" -> {
        if (a.get(2).equals("on")) world.powerOn(node(s, a.get(1)));
        else world.powerOff(node(s, a.get(1)), "");
      }
      case "network" -> world.network(node(s, a.get(1)), a.get(2).equals("on"));
      case "partition" -> {
        List<List<String>> sides = new ArrayList<>();
        for (String side : String.join(" ", a.subList(1, a.size())).split("\\|")) {
          sides.add(Arrays.asList(side.trim().split("[,\\s]+")));
        }
        world.partition(sides);
      }
      case "heal" -> world.heal();
      case "pause" -> world.pause(node(s, a.get(1)), Durations.parseMs(a.get(2), "pause"));
      case "reboot" -> world.shutdown(node(s, a.get(1)), true);
      case "shutdown" -> world.shutdown(node(s, a.get(1)), false);
      case "service" -> service(s, a);
      case "maintenance" -> {
        String n = node(s, a.get(1));
        boolean on = a.get(2).equals("on");
        world.operatorCommand("maintenance " + n + " " + a.get(2), seq -> new Command.Maintenance(seq, n, on));
      }
      case "fence" -> {
        String n = node(s, a.get(2));
        if (operatorChecksPower && world.node(n).powered) {
          world.log("operator", n + " is powered on: no fence confirmation");
          return;
        }
        world.operatorCommand("fence confirm " + n, seq -> new Command.FenceConfirm(seq, n, "operator"));
      }
      case "fence-device" -> world.fenceDevice(a.get(1), a.get(2).equals("ok"));
      case "drop-acks" -> world.dropAcks(node(s, a.get(1)), a.get(2).equals("on"));
      case "slow-acks" -> world.slowAcks(node(s, a.get(1)), Durations.parseMs(a.get(2), "slow-acks"));
      default -> throw new IllegalStateException("unvalidated action " + a);
    }
  }

  private void service(Scenario.Step s, List<String> a) {
    String id = a.get(1);
    switch (a.get(2)) {
      case "migrate", "relocate" -> {
        String n = node(s, a.get(3));
        boolean live = a.get(2).equals("migrate");
        world.operatorCommand("service " + id + " " + a.get(2) + " " + n,
            seq -> live ? new Command.Migrate(seq, id, n) : new Command.Relocate(seq, id, n));
      }
      default -> {
        RequestState st = switch (a.get(2)) {
          case "stop" -> RequestState.STOPPED;
          case "disable" -> RequestState.DISABLED;
          default -> RequestState.STARTED;
        };
        world.operatorConfig("service " + id + " " + a.get(2), c -> c.withResource(c.resources().get(id)
            .withState(st)));
      }
    }
  }

  private void expect(Scenario.Step s) {
    String problem = check(s, s.words());
    if (problem != null) {
      throw new Violation(where(s) + ": expectation failed at " + seconds(world.now()) + "s: "
          + s.text().substring(s.text().indexOf(s.words().get(0))) + " — " + problem);
    }
    world.log("check", "ok: " + String.join(" ", s.words()));
  }

  private String check(Scenario.Step s, List<String> e) {
    ManagerState ms = world.managerState();
    switch (e.get(0)) {
      case "node" -> {
        String n = node(s, e.get(1));
        if (e.get(2).equals("powered")) {
          boolean want = e.get(3).equals("on");
          boolean is = world.node(n).powered;
          return is == want ? null : n + " is powered " + (is ? "on" : "off");
        }
        NodeStatus ns = ms == null ? null : ms.nodes().get(n);
        NodeState is = ns == null ? null : ns.state();
        return is == NodeState.parse(e.get(2)) ? null : n + " is " + (is == null ? "not known to the manager"
            : is.label());
      }
      case "manager" -> {
        ManagerLease lease = world.managerLease();
        String holder = lease == null ? null : lease.holder();
        for (String n : e.get(2).split("\\|")) {
          if (n.equals(holder) || n.equals("@manager")) return holder == null ? "no manager" : null;
        }
        return "the manager lease is held by " + (holder == null ? "nobody" : holder);
      }
      case "spm" -> {
        TreeSet<String> acting = new TreeSet<>();
        for (SimNode n : world.nodes().values()) {
          if (n.spmToken != 0) acting.add(n.name);
        }
        String is = acting.isEmpty() ? "no node acts as SPM" : String.join(", ", acting) + " act(s) as SPM";
        if (e.get(1).equals("none")) return acting.isEmpty() ? null : is;
        if (acting.size() != 1) return is;
        for (String n : e.get(2).split("\\|")) {
          if (acting.contains(node(s, n))) return null;
        }
        return is;
      }
      case "fenced" -> {
        String n = node(s, e.get(1));
        NodeStatus ns = ms == null ? null : ms.nodes().get(n);
        ConfirmKind want = ConfirmKind.valueOf(e.get(3).toUpperCase(Locale.ROOT));
        if (ns == null || ns.confirmation() == null) return n + " has no confirmed fence";
        return ns.confirmation().kind() == want ? null : n + " was fenced by "
            + ns.confirmation().kind().name().toLowerCase(Locale.ROOT);
      }
      default -> {
        String id = e.get(0);
        TreeMap<String, Long> on = world.running().get(id);
        String runs = on == null || on.isEmpty() ? "it is not running" : "it runs on " + String.join(", ",
            on.keySet());
        if (e.get(1).equals("running")) {
          if (on == null || on.size() != 1) return runs;
          for (String n : e.get(3).split("\\|")) {
            if (on.containsKey(node(s, n))) return null;
          }
          return runs;
        }
        if (e.get(1).equals("not")) return on == null || on.isEmpty() ? null : runs;
        ServiceStatus ss = ms == null ? null : ms.services().get(id);
        ServiceState want = ServiceState.parse(e.get(2));
        if (ss == null) return id + " has no status yet";
        return ss.state() == want ? null : id + " is " + ss.state().label()
            + (ss.node() == null ? "" : " on " + ss.node());
      }
    }
  }
}
