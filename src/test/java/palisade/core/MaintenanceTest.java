package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The node state machine with maintenance, round by round on the manager's clock: the operator's maintenance lasts
 * through silence, clean shutdown and fence, and ends only by the operator; a migrate-policy shutdown's ends by
 * itself; and a node in maintenance is fenced when it goes silent exactly when something of ours may run there.
 */
class MaintenanceTest {
  private final Timing timing = Timing.defaults();
  private final List<String> log = new ArrayList<>();
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  private ShutdownPolicy policy = ShutdownPolicy.CONDITIONAL;
  private ManagerState state = new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>());
  private Working w;
  private long nowMs;

  MaintenanceTest() {
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, new NodeConfig(n, true, List.of(), -1, false));
      records.put(n, NodeRecord.fresh(n, "sim", timing));
      timers.put(n, NodeTimer.start(1, records.get(n), 0));
    }
    w = new Working(state, (s, m) -> log.add(s + ": " + m));
    for (String n : nodes.keySet()) w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
    next();
  }

  private NodeMachine machine() {
    return new NodeMachine(timing, new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), policy), w, records,
        timers);
  }

  /** One round at nowMs: every node stepped, the state built as the manager writes it. */
  private void round() {
    NodeMachine m = machine();
    for (String n : nodes.keySet()) m.step(n, nowMs);
    next();
  }

  private void next() {
    state = w.build(1);
    w = new Working(state, (s, m) -> log.add(s + ": " + m));
  }

  private String command(String node, boolean on) {
    String refused = machine().maintenanceCommand(node, on, nowMs);
    next();
    return refused;
  }

  /** node writes its record (renews) now, in mode. */
  private void renews(String node, AgentMode mode, boolean armed) {
    NodeRecord rec = records.get(node).renewed(mode, new TreeMap<>(), armed, true, 0);
    records.put(node, rec);
    timers.put(node, timers.get(node).seen(timers.get(node).version() + 1, rec, nowMs));
  }

  /** Everyone but the silent renews every second until nowMs reaches untilMs, one round each. */
  private void runUntil(long untilMs, String silent) {
    while (nowMs < untilMs) {
      nowMs += 1_000;
      for (String n : nodes.keySet()) {
        if (!n.equals(silent)) renews(n, records.get(n).mode(), false);
      }
      round();
    }
  }

  private NodeState stateOf(String node) {
    return state.nodes().get(node).state();
  }

  private void assign(String id, String node) {
    w.setService(id, new ServiceStatus(ServiceState.STARTED, node, null, w.newToken(), 0, new TreeSet<>(), null),
        "test");
    next();
  }

  @Test
  void aMaintenanceNodeRunningNothingOfOursIsNotFencedWhenSilentAndStaysInMaintenanceWhenBack() {
    assertThat(command("node2", true)).isNull();
    assertThat(state.maintenance()).containsExactly("node2");
    runUntil(30_000, "node2"); // power off: silent for far longer than L
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
    renews("node2", AgentMode.ACTIVE, false); // booted again
    runUntil(35_000, null);
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
    assertThat(state.nodeLabel("node2")).isEqualTo("maintenance (operator)");
    assertThat(command("node2", false)).isNull();
    assertThat(stateOf("node2")).isEqualTo(NodeState.ONLINE);
    assertThat(state.maintenance()).isEmpty();
  }

  @Test
  void aMaintenanceNodeThatStillRunsAResourceIsFencedWhenSilentAndRejoinsInMaintenance() {
    assign("vm:1", "node2");
    command("node2", true);
    runUntil(30_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.FENCING);
    assertThat(state.maintenance()).containsExactly("node2");
    assertThat(state.nodeLabel("node2")).isEqualTo("fencing (maintenance kept)");
  }

  @Test
  void anArmedWatchdogInTheLastRecordCountsAsRunningSomething() {
    command("node2", true);
    renews("node2", AgentMode.ACTIVE, true);
    runUntil(30_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.FENCING);
  }

  @Test
  void theOperatorsMaintenanceLastsAcrossACleanShutdownAndTheBootAfterIt() {
    command("node2", true);
    renews("node2", AgentMode.DOWN, false);
    runUntil(20_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
    renews("node2", AgentMode.ACTIVE, false);
    runUntil(25_000, null);
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
    assertThat(log).noneMatch(l -> l.contains("node2: maintenance -> online"));
  }

  @Test
  void endingMaintenanceOfASilentNodeRunningNothingMakesItOfflineNotFenced() {
    command("node2", true);
    runUntil(30_000, "node2");
    assertThat(command("node2", false)).isNull();
    assertThat(stateOf("node2")).isEqualTo(NodeState.OFFLINE);
    runUntil(60_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.OFFLINE);
    renews("node2", AgentMode.ACTIVE, false);
    runUntil(62_000, null);
    assertThat(stateOf("node2")).isEqualTo(NodeState.ONLINE);
  }

  @Test
  void aMigratePolicyShutdownShowsMaintenanceThatEndsByItself() {
    policy = ShutdownPolicy.MIGRATE;
    renews("node2", AgentMode.REBOOTING, false);
    runUntil(2_000, null);
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
    assertThat(state.maintenance()).isEmpty();
    assertThat(state.nodeLabel("node2")).isEqualTo("maintenance (shutdown)");
    assertThat(command("node2", false)).isEqualTo("node2 is in maintenance for its shutdown; that ends when it is "
        + "back");
    renews("node2", AgentMode.DOWN_REBOOT, false);
    runUntil(4_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.OFFLINE);
    renews("node2", AgentMode.ACTIVE, false);
    runUntil(6_000, null);
    assertThat(stateOf("node2")).isEqualTo(NodeState.ONLINE);
  }

  @Test
  void theOperatorCanKeepAShutdownsMaintenancePastTheShutdown() {
    policy = ShutdownPolicy.MIGRATE;
    renews("node2", AgentMode.SHUTTING_DOWN, false);
    runUntil(2_000, null);
    assertThat(command("node2", true)).isNull();
    assertThat(log).contains("manager: node2: operator maintenance on (operator: it stays in maintenance after its "
        + "shutdown)");
    renews("node2", AgentMode.DOWN, false);
    runUntil(20_000, "node2");
    assertThat(stateOf("node2")).isEqualTo(NodeState.MAINTENANCE);
  }

  @Test
  void maintenanceOnIsRefusedForANodeNotOnline() {
    runUntil(30_000, "node3");
    assertThat(stateOf("node3")).isEqualTo(NodeState.FENCING);
    assertThat(command("node3", true)).isEqualTo("node3 is fencing");
    assertThat(state.maintenance()).isEmpty();
    assertThat(command("node1", false)).isEqualTo("node1 is online");
  }
}
