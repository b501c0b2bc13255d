package palisade.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import palisade.core.DiskLease;
import palisade.core.ManagerLease;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.ServiceStatus;
import palisade.sim.SimWorld;
import palisade.sim.Violation;
import palisade.sim.WorldObserver;
import palisade.sim.check.Invariants;

/**
 * Runs a scenario in a fresh world: schedules its actions and expectations, checks every invariant, and reports the
 * first failure. Point expectations are checked once, after everything else of their millisecond; interval
 * expectations after every event from their start to their end, both included.
 */
public final class ScenarioRunner {
  /** How a run ended: null failure = every expectation and invariant held. */
  public record Result(String failure, SimWorld world) {
    public boolean ok() {
      return failure == null;
    }
  }

  private final Scenario scenario;
  private final SimWorld world;
  private final Invariants invariants;
  private final List<Scenario.Expect> intervals = new ArrayList<>();
  /** The expectation being checked, for `@manager` resolution and messages. */
  private Scenario.Expect checking;

  public ScenarioRunner(Scenario scenario, long seed, Consumer<String> out) {
    this.scenario = scenario;
    this.world = new SimWorld(scenario.options, seed, out);
    this.invariants = Invariants.watch(world);
    world.observe(new WorldObserver() {
      @Override
      public void afterEvent() {
        checkIntervals();
      }
    });
  }

  public SimWorld world() {
    return world;
  }

  public Invariants invariants() {
    return invariants;
  }

  public Result run() {
    try {
      world.build(scenario.config(), new java.util.TreeMap<>(), scenario.fenceDevices, new TreeSet<>(),
          scenario.noWatchdog, scenario.deviceDelays);
      scenario.faults.applyTo(world.drivers());
      for (Scenario.At a : scenario.actions) world.at(a.timeMs(), () -> act(a));
      for (Scenario.Expect e : scenario.expectations) {
        if (!e.interval()) world.atEnd(e.fromMs(), () -> expect(e));
      }
      for (Scenario.Expect e : scenario.expectations) {
        if (!e.interval()) continue;
        intervals.add(e);
        // Both ends are checked even when nothing else happens there (the check itself runs after every event).
        world.atEnd(e.fromMs(), () -> { });
        world.atEnd(e.toMs(), () -> { });
      }
      world.run(scenario.runMs());
      return new Result(null, world);
    } catch (Violation v) {
      return new Result(v.getMessage(), world);
    } catch (palisade.core.Check.InvariantViolation v) {
      return new Result("core invariant violated at " + seconds(world.now()) + "s: " + v.getMessage(), world);
    }
  }

  /** FILE:LINE, or FILE alone for a generated step. */
  private String where(int line) {
    return line > 0 ? scenario.file() + ":" + line : scenario.file();
  }

  private static String seconds(long ms) {
    return String.format("%d.%03d", ms / 1000, ms % 1000);
  }

  // ---- actions ---------------------------------------------------------------------------------------------------

  /** `@manager` is the node holding the manager lease right now. */
  private String actor(Scenario.At a, String ref) {
    if (!ref.equals("@manager")) return ref;
    ManagerLease lease = world.managerLease();
    if (lease == null) {
      throw new Violation(where(a.line()) + ": at " + seconds(world.now()) + "s no node holds the manager lease");
    }
    return lease.holder();
  }

  private void act(Scenario.At at) {
    at.action().accept(new ActionRunner(world, scenario.fenceDevices, ref -> actor(at, ref)));
  }

  // ---- expectations ----------------------------------------------------------------------------------------------

  /** The expectation's words after its time(s), single-spaced: what the log and messages show. */
  private static String words(Scenario.Expect e) {
    String[] w = e.text().trim().split("\\s+");
    int skip = e.interval() ? 5 : 3;
    return String.join(" ", java.util.Arrays.asList(w).subList(Math.min(skip, w.length), w.length));
  }

  private Violation failed(Scenario.Expect e, String problem) {
    String shown = e.interval() ? e.text().trim().substring("expect ".length()) : words(e);
    return new Violation(where(e.line()) + ": expectation failed at " + seconds(world.now()) + "s: " + shown
        + " — " + problem);
  }

  private void expect(Scenario.Expect e) {
    String problem = check(e);
    if (problem != null) throw failed(e, problem);
    world.log("check", "ok: " + words(e));
  }

  /** After every event: each interval expectation covering now must hold (its first break fails the run). */
  private void checkIntervals() {
    long now = world.now();
    for (Scenario.Expect e : intervals) {
      if (now < e.fromMs() || now > e.toMs()) continue;
      String problem = check(e);
      if (problem != null) throw failed(e, problem);
    }
  }

  /**
   * `@manager` is the node holding the manager lease right now. With no holder, a point expectation fails (as it
   * always did); an interval's node list then names no node.
   */
  private String node(String ref) {
    if (!ref.equals("@manager")) return ref;
    ManagerLease lease = world.managerLease();
    if (lease != null) return lease.holder();
    if (checking.interval()) return null;
    throw new Violation(where(checking.line()) + ": at " + seconds(world.now()) + "s no node holds the manager lease");
  }

  private boolean anyOf(List<String> refs, java.util.function.Predicate<String> test) {
    for (String ref : refs) {
      String n = node(ref);
      if (n != null && test.test(n)) return true;
    }
    return false;
  }

  /** Null when the expectation holds now, else the facts. */
  private String check(Scenario.Expect e) {
    checking = e;
    ManagerState ms = world.managerState();
    return e.what().accept(new Facts(ms));
  }

  /** Each expectation against the world now: null when it holds, else the facts. */
  private final class Facts implements Expectation.Visitor<String> {
    private final ManagerState ms;

    Facts(ManagerState ms) {
      this.ms = ms;
    }

  @Override
  public String runningOn(Expectation.RunningOn x) {
    SortedMap<String, Long> on = world.whereRunning(x.id());
    if (on.size() == 1 && anyOf(x.nodes(), on::containsKey)) return null;
    return SimFacts.runs(on);
  }

  @Override
  public String notRunning(Expectation.NotRunning x) {
    SortedMap<String, Long> on = world.whereRunning(x.id());
    if (x.nodes().isEmpty()) return on.isEmpty() ? null : SimFacts.runs(on);
    return anyOf(x.nodes(), on::containsKey) ? SimFacts.runs(on) : null;
  }

  @Override
  public String serviceIs(Expectation.ServiceIs x) {
    ServiceStatus ss = ms == null ? null : ms.services().get(x.id());
    if (ss == null) return x.id() + " has no status yet";
    return ss.state() == x.state() ? null : x.id() + " is " + ss.state().label()
        + (ss.node() == null ? "" : " on " + ss.node());
  }

  @Override
  public String nodeState(Expectation.NodeState x) {
    String n = node(x.node());
    NodeState is = stateOf(n);
    return is == x.state() ? null : n + " is " + (is == null ? "not known to the manager" : is.label());
  }

  @Override
  public String nodeNotIn(Expectation.NodeNotIn x) {
    String n = node(x.node());
    return n != null && stateOf(n) == x.state() ? n + " is " + x.state().label() : null;
  }

  private NodeState stateOf(String n) {
    NodeStatus ns = ms == null || n == null ? null : ms.nodes().get(n);
    return ns == null ? null : ns.state();
  }

  @Override
  public String powered(Expectation.Powered x) {
    String n = node(x.node());
    boolean is = world.node(n).powered();
    return is == x.on() ? null : n + " is powered " + (is ? "on" : "off");
  }

  @Override
  public String timingIs(Expectation.TimingIs x) {
    return TimingWords.check(world, x);
  }

  @Override
  public String managerOn(Expectation.ManagerOn x) {
    ManagerLease lease = world.managerLease();
    String holder = lease == null ? null : lease.holder();
    for (String n : x.nodes()) {
      if (n.equals(holder) || n.equals("@manager")) return holder == null ? "no manager" : null;
    }
    return "the manager lease is held by " + (holder == null ? "nobody" : holder);
  }

  @Override
  public String managerNotOn(Expectation.ManagerNotOn x) {
    ManagerLease lease = world.managerLease();
    String holder = lease == null ? null : lease.holder();
    return holder != null && x.nodes().contains(holder) ? "the manager lease is held by " + holder : null;
  }

  @Override
  public String spmOn(Expectation.SpmOn x) {
    TreeSet<String> acting = SimFacts.actingSpm(world);
    if (acting.size() == 1 && anyOf(x.nodes(), acting::contains)) return null;
    return SimFacts.spm(acting);
  }

  @Override
  public String spmNone(Expectation.SpmNone x) {
    TreeSet<String> acting = SimFacts.actingSpm(world);
    return acting.isEmpty() ? null : SimFacts.spm(acting);
  }

  @Override
  public String spmNotOn(Expectation.SpmNotOn x) {
    TreeSet<String> acting = SimFacts.actingSpm(world);
    return anyOf(x.nodes(), acting::contains) ? SimFacts.spm(acting) : null;
  }

  @Override
  public String fencedBy(Expectation.FencedBy x) {
    return FenceFacts.fencedBy(ms, node(x.node()), x.kind());
  }

  @Override
  public String fenceHistoryHas(Expectation.FenceHistoryHas x) {
    return FenceFacts.historyHas(world, node(x.node()), x.kind());
  }

  @Override
  public String fenceProxy(Expectation.FenceProxy x) {
    String proxy = FenceFacts.lastProxy(world, ms, node(x.node()));
    if (proxy != null && anyOf(x.proxies(), proxy::equals)) return null;
    return proxy == null ? x.node() + " had no fence order" : "the proxy of " + x.node() + "'s last order is " + proxy;
  }

  @Override
  public String fenceDeviceIs(Expectation.FenceDeviceIs x) {
    return FenceFacts.deviceIs(world, x.device(), x.ok());
  }

  @Override
  public String clusterIs(Expectation.ClusterIs x) {
    return FenceFacts.clusterIs(ms, x.armed());
  }

  @Override
  public String diskHeld(Expectation.DiskHeld x) {
    DiskLease l = ms == null ? null : ms.disks().get(x.disk());
    return l != null && anyOf(x.nodes(), l.node()::equals) ? null : SimFacts.disk(x.disk(), l);
  }

  @Override
  public String diskFree(Expectation.DiskFree x) {
    return ms == null || ms.disks().get(x.disk()) == null ? null : SimFacts.disk(x.disk(), ms.disks().get(x.disk()));
  }

  @Override
  public String storageWriter(Expectation.StorageWriter x) {
    return PhysicalFacts.lastWriter(world, x.disk(), x.nodes().stream().map(ScenarioRunner.this::node).toList());
  }

  @Override
  public String storageRejected(Expectation.StorageRejected x) {
    return PhysicalFacts.rejected(world, x.disk(), node(x.node()));
  }

  @Override
  public String converged(Expectation.Converged x) {
    String stuck = invariants.invariant5Liveness();
    return stuck == null ? null : "invariant 5 (liveness) violated: " + stuck;
  }
  }
}
