package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import palisade.core.AgentMode;
import palisade.core.ClusterConfig;
import palisade.core.ManagerState;
import palisade.core.NodeConfig;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.RequestOutcome;
import palisade.core.RequestState;
import palisade.core.ResourceConfig;
import palisade.core.ResourceResult;
import palisade.core.ServiceState;
import palisade.core.ServiceStatus;
import palisade.core.ShutdownPolicy;
import palisade.core.SpmRole;
import palisade.runtime.store.ShutdownRequest;

/** The `--wait` decisions from store records: done only when the store shows the change took effect. */
class WaitGoalTest {
  private static final List<String> NODES = List.of("node1", "node2", "node3");

  private static ClusterConfig config(RequestState requested) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : NODES) nodes.put(n, NodeConfig.standard(n));
    return new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(Map.of("svc:1", new ResourceConfig("svc:1",
        "node1", requested, null, 0, 1, 1, List.of(), "process", new TreeMap<>(Map.of("command", "sleep 1"))))),
        ShutdownPolicy.CONDITIONAL);
  }

  private static ServiceStatus service(ServiceState st, String node, String target, long token) {
    return new ServiceStatus(st, node, target, token, 0, new TreeSet<>(), null);
  }

  private static ManagerState state(ServiceStatus svc, Map<String, NodeState> nodeStates, List<String> maint) {
    TreeMap<String, NodeStatus> nodes = new TreeMap<>();
    for (String n : NODES) {
      nodes.put(n, new NodeStatus(nodeStates.getOrDefault(n, NodeState.ONLINE), 0, null));
    }
    TreeMap<String, ServiceStatus> services = new TreeMap<>();
    if (svc != null) services.put("svc:1", svc);
    return new ManagerState(1, 10, 0, nodes, services, new TreeMap<>(), null, new TreeSet<>(maint));
  }

  /** node reports outcome for svc:1 under token (null node: no reports at all). */
  private static TreeMap<String, NodeRecord> reported(String node, long token, RequestOutcome outcome) {
    TreeMap<String, NodeRecord> out = new TreeMap<>();
    if (node != null) {
      out.put(node, new NodeRecord(node, 0, false, 1, AgentMode.ACTIVE, new TreeMap<>(Map.of("svc:1",
          new ResourceResult(token, outcome))), true, true, 0, null, null, 0));
    }
    return out;
  }

  private static WaitGoal.Snapshot snap(RequestState requested, ServiceStatus svc, TreeMap<String, NodeRecord> recs,
      boolean applied) {
    return new WaitGoal.Snapshot(config(requested), state(svc, Map.of(), List.of()), recs, null, applied);
  }

  @Test
  void startedOnlyOnceTheAgentReportedTheCurrentToken() {
    WaitGoal g = WaitGoal.asConfigured("svc:1");
    assertThat(g.check(snap(RequestState.STARTED, null, reported(null, 0, null), true)))
        .isEqualTo(new WaitGoal.Waiting("svc:1 is not known to the manager yet"));
    ServiceStatus started = service(ServiceState.STARTED, "node1", null, 5);
    assertThat(g.check(snap(RequestState.STARTED, started, reported("node1", 4, RequestOutcome.STARTED), true)))
        .isEqualTo(new WaitGoal.Waiting("svc:1 is started on node1 (its start is not confirmed by the agent yet)"));
    assertThat(g.check(snap(RequestState.STARTED, started, reported("node1", 5, RequestOutcome.STARTED), true)))
        .isEqualTo(new WaitGoal.Done("svc:1 runs on node1"));
  }

  @Test
  void errorFailsUnlessADisableOrAnUnappliedCleanupStillActsOnIt() {
    WaitGoal g = WaitGoal.asConfigured("svc:1");
    ServiceStatus error = service(ServiceState.ERROR, "node1", null, 5);
    TreeMap<String, NodeRecord> none = reported(null, 0, null);
    assertThat(g.check(snap(RequestState.STARTED, error, none, true))).isInstanceOf(WaitGoal.Failed.class)
        .extracting(WaitGoal.Verdict::text).asString().startsWith("svc:1 is in error on node1");
    assertThat(g.check(snap(RequestState.STARTED, error, none, false))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(RequestState.DISABLED, error, none, true))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(RequestState.DISABLED, service(ServiceState.DISABLED, "node1", null, 6), none, true)))
        .isEqualTo(new WaitGoal.Done("svc:1 is disabled"));
    assertThat(g.check(snap(RequestState.STOPPED, service(ServiceState.REQUEST_STOP, "node1", null, 6), none,
        true))).isEqualTo(new WaitGoal.Waiting("svc:1 is request_stop on node1"));
  }

  @Test
  void aMoveIsDoneOnTheTargetAndFailsWhenItStaysBehindOnceApplied() {
    WaitGoal g = WaitGoal.movedTo("svc:1", "node3");
    ServiceStatus before = service(ServiceState.STARTED, "node1", null, 5);
    TreeMap<String, NodeRecord> onSource = reported("node1", 5, RequestOutcome.STARTED);
    assertThat(g.check(snap(RequestState.STARTED, before, onSource, false)))
        .as("not applied yet: still where it was").isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(RequestState.STARTED, before, onSource, true)))
        .isEqualTo(new WaitGoal.Failed("svc:1 did not move: it runs on node1 (see palisade events)"));
    assertThat(g.check(snap(RequestState.STARTED, service(ServiceState.RELOCATE, "node1", "node3", 6), onSource,
        true))).isEqualTo(new WaitGoal.Waiting("svc:1 is relocate on node1 (to node3)"));
    ServiceStatus there = service(ServiceState.STARTED, "node3", null, 6);
    assertThat(g.check(snap(RequestState.STARTED, there, reported("node3", 5, RequestOutcome.STARTED), true)))
        .as("the state says started before the agent does").isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(RequestState.STARTED, there, reported("node3", 6, RequestOutcome.MIGRATED), true)))
        .isEqualTo(new WaitGoal.Done("svc:1 runs on node3"));
  }

  @Test
  void maintenanceOnWaitsForTheResourcesToLeave() {
    WaitGoal on = WaitGoal.maintenance("node1", true);
    ClusterConfig cfg = config(RequestState.STARTED);
    TreeMap<String, NodeRecord> none = reported(null, 0, null);
    Map<String, NodeState> inMaint = Map.of("node1", NodeState.MAINTENANCE);
    assertThat(on.check(new WaitGoal.Snapshot(cfg, state(service(ServiceState.STARTED, "node1", null, 5),
        Map.of(), List.of()), none, null, true)).text()).isEqualTo("node1 is online");
    assertThat(on.check(new WaitGoal.Snapshot(cfg, state(service(ServiceState.MIGRATE, "node1", "node2", 6),
        inMaint, List.of("node1")), none, null, true)).text())
        .isEqualTo("node1 is maintenance (operator); svc:1 is migrate on node1 (to node2)");
    ManagerState moved = state(service(ServiceState.STARTED, "node2", null, 6), inMaint, List.of("node1"));
    assertThat(on.check(new WaitGoal.Snapshot(cfg, moved, none, null, true))).isInstanceOf(WaitGoal.Done.class);
    ManagerState spmThere = new ManagerState(1, 10, 0, moved.nodes(), moved.services(), new TreeMap<>(),
        new SpmRole("node1", 3, true), moved.maintenance());
    assertThat(on.check(new WaitGoal.Snapshot(cfg, spmThere, none, null, true)).text())
        .isEqualTo("node1 is maintenance (operator); it still holds the SPM role (node1 (token 3, releasing))");
    assertThat(on.check(new WaitGoal.Snapshot(cfg, state(service(ServiceState.ERROR, "node1", null, 6),
        inMaint, List.of("node1")), none, null, true))).isInstanceOf(WaitGoal.Failed.class);
    WaitGoal off = WaitGoal.maintenance("node1", false);
    assertThat(off.check(new WaitGoal.Snapshot(cfg, state(null, inMaint, List.of("node1")), none, null, true)))
        .isInstanceOf(WaitGoal.Waiting.class);
    assertThat(off.check(new WaitGoal.Snapshot(cfg, state(null, Map.of(), List.of()), none, null, true)))
        .isEqualTo(new WaitGoal.Done("node1 is online"));
  }

  @Test
  void aShutdownIsDoneOnceTakenAndTheNodeIsOffline() {
    WaitGoal g = WaitGoal.shutdown("node2");
    assertThat(g.shutdownOf()).isEqualTo("node2");
    ClusterConfig cfg = config(RequestState.STARTED);
    ShutdownRequest asked = new ShutdownRequest("node2", false, 1, "admin", false);
    ManagerState online = state(null, Map.of(), List.of());
    ManagerState offline = state(null, Map.of("node2", NodeState.OFFLINE), List.of());
    TreeMap<String, NodeRecord> none = reported(null, 0, null);
    assertThat(g.check(new WaitGoal.Snapshot(cfg, online, none, asked, true)))
        .isEqualTo(new WaitGoal.Waiting("node2 has not taken the request yet"));
    assertThat(g.check(new WaitGoal.Snapshot(cfg, online, none, asked.take(), true)))
        .isEqualTo(new WaitGoal.Waiting("node2 took the request and is online"));
    assertThat(g.check(new WaitGoal.Snapshot(cfg, offline, none, asked.take(), true)))
        .isEqualTo(new WaitGoal.Done("node2 is down cleanly"));
    ManagerState fencing = state(null, Map.of("node2", NodeState.FENCING), List.of());
    assertThat(g.check(new WaitGoal.Snapshot(cfg, fencing, none, asked.take(), true)))
        .isInstanceOf(WaitGoal.Failed.class);
    TreeMap<String, NodeRecord> down = new TreeMap<>(Map.of("node2", NodeRecord.fresh("node2")
        .renewed(AgentMode.DOWN_REBOOT, new TreeMap<>(), false, true, 0)));
    ShutdownRequest reboot = new ShutdownRequest("node2", true, 1, "admin", true);
    assertThat(g.check(new WaitGoal.Snapshot(cfg, online, down, reboot, true)))
        .as("its down record, though the manager has not seen it offline").isEqualTo(
        new WaitGoal.Done("node2 is down cleanly for its reboot"));
  }
}
