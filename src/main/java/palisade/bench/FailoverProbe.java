package palisade.bench;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.sim.SimWorld;
import palisade.sim.check.Invariants;
import palisade.sim.scenario.Scenario;

/**
 * Measures one failover in simulated time, to the millisecond: a 3-node cluster with one resource per node; at
 * 20 s node3 (or, with the manager as target, whichever node holds the manager lease) loses power (or its
 * network); when does the manager confirm the fence, and when does the victim's resource run elsewhere?
 */
public final class FailoverProbe {
  public enum Mode { POWER, ISOLATE }

  /** Times in ms after the fault; -1 if it did not happen within the run. */
  public record Timeline(long faultAtMs, long fencingMs, long confirmedMs, long recoveredMs, String recoveredOn,
      String confirmedBy, long watchdogResetMs) {}

  static final long FAULT_AT_MS = 20_000;
  private static final long STEP_MS = 1;

  private FailoverProbe() {}

  public static Timeline measure(Mode mode, long seed, Consumer<String> out) {
    return measure(mode, seed, out, false);
  }

  /** One failover of node3, or (managerNode) of the node that holds the manager lease at the fault. */
  public static Timeline measure(Mode mode, long seed, Consumer<String> out, boolean managerNode) {
    List<String> text = List.of(
        "nodes node1 node2 node3",
        "resource vm:101 node=node1 state=started disks=disk-101",
        "resource vm:102 node=node2 state=started disks=disk-102",
        "resource vm:103 node=node3 state=started disks=disk-103",
        "run 90s");
    Scenario s;
    try {
      s = Scenario.parse("failover", text);
    } catch (Scenario.ScenarioException e) {
      throw new IllegalStateException(e);
    }
    SimWorld w = new SimWorld(s.options(), seed, out);
    Invariants.watch(w);
    w.build(s.config(), new TreeMap<>(), new TreeSet<>(), new TreeSet<>());
    w.run(FAULT_AT_MS);
    String victim = managerNode ? w.managerLease().holder() : "node3";
    String vm = "vm:10" + victim.substring("node".length());
    if (mode == Mode.POWER) w.powerOff(victim, "");
    else w.network(victim, false);
    long fencing = -1;
    long confirmed = -1;
    long recovered = -1;
    long reset = -1;
    String on = null;
    String by = null;
    for (long t = FAULT_AT_MS; t <= 90_000 && recovered < 0; t += STEP_MS) {
      w.run(t);
      ManagerState ms = w.managerState();
      NodeStatus ns = ms == null ? null : ms.nodes().get(victim);
      if (fencing < 0 && ns != null && ns.state() == NodeState.FENCING) fencing = t - FAULT_AT_MS;
      if (confirmed < 0 && ns != null && ns.state() == NodeState.FENCED) {
        confirmed = t - FAULT_AT_MS;
        by = ns.confirmation().kind().name().toLowerCase(java.util.Locale.ROOT);
      }
      if (reset < 0 && mode == Mode.ISOLATE && !w.node(victim).booted()) reset = t - FAULT_AT_MS;
      SortedMap<String, Long> running = w.whereRunning(vm);
      if (!running.containsKey(victim) && !running.isEmpty()) {
        recovered = t - FAULT_AT_MS;
        on = running.firstKey();
      }
    }
    return new Timeline(FAULT_AT_MS, fencing, confirmed, recovered, on, by, reset);
  }
}
