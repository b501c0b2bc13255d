package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The manager on its own, against a fake store and hand-made agent renewals, with exact times: it fences a node
 * only after seeing its lease silent for L, at the record version it saw, and recovers a resource only once the
 * fence is confirmed.
 */
class ManagerTest {
  private final FakeStore store = new FakeStore();
  private final List<String> log = new ArrayList<>();
  private final Timing timing = Timing.defaults();
  private final TreeSet<String> silent = new TreeSet<>();
  private Manager manager;

  /** The timing /config states; null: none stated. */
  private Timing clusterTiming;

  /** node1 runs the manager; vm:1 is configured on node3. */
  private void cluster(NodeConfig node3) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>(Map.of("node1", NodeConfig.standard("node1"),
        "node2", NodeConfig.standard("node2"), "node3", node3));
    TreeMap<String, ResourceConfig> rs = new TreeMap<>(Map.of("vm:1",
        ResourceConfig.sim("vm:1", "node3", RequestState.STARTED, null, 0, 1, 1, List.of())));
    store.put(StorePaths.CONFIG, new ClusterConfig(nodes, new TreeMap<>(), rs, ShutdownPolicy.CONDITIONAL,
        clusterTiming));
    for (String n : nodes.keySet()) store.put(StorePaths.node(n), NodeRecord.fresh(n, "test", timing));
    manager = new Manager(new ManagerEnv() {
      public String node() {
        return "node1";
      }

      public StoreClient store() {
        return store;
      }

      public EventLog log() {
        return (s, m) -> log.add(s + ": " + m);
      }
    }, timing);
  }

  /** A minimal agent: renews its record and reports every resource the manager started there as running. */
  private void renew(String node) {
    Versioned<NodeRecord> rec = store.view().get(StorePaths.node(node), NodeRecord.class);
    TreeMap<String, ResourceResult> results = new TreeMap<>(rec.value().results());
    ManagerState ms = state();
    if (ms != null) {
      for (var e : ms.services().entrySet()) {
        ServiceStatus ss = e.getValue();
        if (ss.state() == ServiceState.STARTED && node.equals(ss.node())) {
          results.put(e.getKey(), new ResourceResult(ss.token(), RequestOutcome.STARTED));
        }
      }
    }
    store.put(StorePaths.node(node), rec.value().renewed(AgentMode.ACTIVE, results, true, true, 0));
  }

  private ManagerState state() {
    return store.get(StorePaths.MANAGER_STATE, ManagerState.class);
  }

  private NodeRecord record(String node) {
    return store.get(StorePaths.node(node), NodeRecord.class);
  }

  /** One tick at t: every node not silent renews on the second, then the manager runs. */
  private void tick(long t) {
    store.nowMs = t;
    if (t % timing.renewMs() == 0) {
      for (String n : List.of("node1", "node2", "node3")) {
        if (!silent.contains(n)) renew(n);
      }
    }
    manager.tick(t);
  }

  private void run(long fromMs, long toMs) {
    for (long t = fromMs; t <= toMs; t += timing.tickMs()) tick(t);
  }

  @Test
  void fencesOnlyAfterSeeingTheLeaseSilentForL() {
    cluster(NodeConfig.standard("node3"));
    run(0, 2_000); // node3's last renewal is at 2 s
    assertThat(manager.role()).isEqualTo(Manager.Role.ACTIVE);
    silent.add("node3");
    long lastRenewalMs = 2_000;
    run(2_250, lastRenewalMs + timing.leaseMs() - timing.tickMs());
    assertThat(record("node3").fenced()).as("silent for less than L").isFalse();
    assertThat(state().nodes().get("node3").state()).isEqualTo(NodeState.UNKNOWN);
    tick(lastRenewalMs + timing.leaseMs());
    assertThat(record("node3").fenced()).isTrue();
    assertThat(record("node3").generation()).isEqualTo(1);
    assertThat(log).contains("manager: fence write for node3 committed");
    assertThat(record("node1").fenced() || record("node2").fenced()).as("renewing nodes are never fenced").isFalse();
  }

  @Test
  void fencesAtTheVersionItSawSoALateRenewalWins() {
    cluster(NodeConfig.standard("node3"));
    run(0, 2_000);
    silent.add("node3");
    run(2_250, 9_750);
    long seenVersion = store.version(StorePaths.node("node3"));
    store.hold = true;
    int before = store.submitted.size();
    tick(10_000);
    Op.Put fence = null;
    for (Txn txn : store.submitted.subList(before, store.submitted.size())) {
      for (Op op : txn.ops()) {
        if (op instanceof Op.Put p && p.path().equals(StorePaths.node("node3"))) fence = p;
      }
    }
    assertThat(fence).as("fence write sent at L").isNotNull();
    assertThat(fence.expectedVersion()).isEqualTo(seenVersion);
    assertThat(((NodeRecord) fence.value()).fenced()).isTrue();
    renew("node3"); // the node was alive after all: its renewal lands first
    while (store.heldCount() > 0) store.commitHeld(10_010);
    assertThat(record("node3").fenced()).isFalse();
    assertThat(log).contains("manager: fence write for node3 refused: /nodes/node3 changed since");
  }

  @Test
  void recoversOnlyAfterTheFenceIsConfirmedThenInTheSameRound() {
    // Without watchdog or fence device only an operator can confirm the fence.
    cluster(new NodeConfig("node3", false, List.of(), -1, true));
    run(0, 3_000);
    ServiceStatus running = state().services().get("vm:1");
    assertThat(running.state()).isEqualTo(ServiceState.STARTED);
    assertThat(running.node()).isEqualTo("node3");
    silent.add("node3");
    for (long t = 3_250; t <= 60_000; t += timing.tickMs()) {
      tick(t);
      ServiceStatus ss = state().services().get("vm:1");
      assertThat(ss.node()).as("at %d ms", t).isEqualTo("node3");
      assertThat(ss.state()).as("at %d ms", t).isIn(ServiceState.STARTED, ServiceState.FENCE);
    }
    assertThat(record("node3").fenced()).isTrue();
    assertThat(state().nodes().get("node3").state()).isEqualTo(NodeState.FENCING);
    store.put(StorePaths.COMMANDS, new Commands(1, List.of(new Command.FenceConfirm(1, "node3", "alice"))));
    tick(60_250);
    ServiceStatus recovered = state().services().get("vm:1");
    assertThat(state().nodes().get("node3").state()).isEqualTo(NodeState.FENCED);
    assertThat(recovered.state()).isEqualTo(ServiceState.STARTED);
    assertThat(recovered.node()).isIn("node1", "node2");
    assertThat(recovered.token()).isGreaterThan(running.token());
    int confirmed = indexOf("node3: fencing -> fenced (fence confirmed by manual (alice))");
    int recovery = indexOf("vm:1: fence -> recovery");
    assertThat(confirmed).isNotNegative().isLessThan(recovery);
  }

  /**
   * node3 (configured watchdog-protected) runs vm:1, its last renewal claims watchdog and timings as given and
   * armed as given; then it goes silent for a minute. Returns node3's manager status at the end.
   */
  private NodeStatus silentNode3Claiming(String watchdogKind, Timing agentTiming, boolean armed) {
    cluster(NodeConfig.standard("node3"));
    run(0, 3_000);
    NodeRecord last = record("node3").under(watchdogKind, agentTiming);
    store.put(StorePaths.node("node3"), last.renewed(last.mode(), last.results(), armed, true, 0));
    silent.add("node3");
    run(3_250, 60_000);
    assertThat(record("node3").fenced()).as("the fence write committed").isTrue();
    return state().nodes().get("node3");
  }

  @Test
  void confirmsByWatchdogWhenTheFencedRecordShowsARealWatchdogUnderItsTimingsEvenUnarmed() {
    // armed=false at the fenced version is fine: the agent arms before starting anything, on an in-time renewal,
    // and no renewal after the fenced version can commit (DESIGN "Fence confirmation").
    NodeStatus st = silentNode3Claiming("linux", timing, false);
    assertThat(st.state()).isEqualTo(NodeState.FENCED);
    assertThat(st.confirmation().kind()).isEqualTo(ConfirmKind.WATCHDOG);
    assertThat(state().services().get("vm:1").node()).isIn("node1", "node2");
  }

  @Test
  void aRecordWithoutAWatchdogIsNoWatchdogConfirmationWhateverTheConfigSays() {
    NodeStatus st = silentNode3Claiming(Watchdog.NONE, timing, true);
    assertThat(st.state()).as("needs power or an operator").isEqualTo(NodeState.FENCING);
    assertThat(state().services().get("vm:1").node()).isEqualTo("node3");
    assertThat(log).noneMatch(l -> l.contains("fence confirmed by watchdog"));
  }

  @Test
  void aRecordUnderOtherTimingsIsNoWatchdogConfirmation() {
    // An agent with a longer W than the manager's: the manager's L was never proven long enough for it.
    Timing longW = new Timing(timing.renewMs(), timing.ackMs(), 30_000, 40_000, timing.driftPpm(), timing.tickMs());
    NodeStatus st = silentNode3Claiming("linux", longW, true);
    assertThat(st.state()).isEqualTo(NodeState.FENCING);
    assertThat(state().services().get("vm:1").node()).isEqualTo("node3");
  }

  @Test
  void aManagerNotUnderTheClustersCurrentTimingConfirmsNothingByWatchdog() {
    // /config now states a longer W (an operator changed it): until the daemons restart under it, the manager and
    // the agents agree with each other but not with the cluster, and a watchdog confirmation is not proven.
    clusterTiming = new Timing(timing.renewMs(), timing.ackMs(), 30_000, 40_000, timing.driftPpm(), timing.tickMs());
    assertThat(silentNode3Claiming("linux", timing, true).state()).isEqualTo(NodeState.FENCING);
  }

  @Test
  void aManagerUnderTheClustersTimingConfirmsByWatchdog() {
    clusterTiming = timing;
    assertThat(silentNode3Claiming("linux", timing, true).state()).isEqualTo(NodeState.FENCED);
  }

  @Test
  void aRecordWithNoClaimIsNoWatchdogConfirmation() {
    NodeStatus st = silentNode3Claiming(null, null, true);
    assertThat(st.state()).isEqualTo(NodeState.FENCING);
  }

  @Test
  void theHostsTickIsNoTermOfTheInequality() {
    Timing otherTick = new Timing(timing.renewMs(), timing.ackMs(), timing.watchdogMs(), timing.leaseMs(),
        timing.driftPpm(), timing.renewMs() / 10);
    assertThat(silentNode3Claiming("process", otherTick, true).state()).isEqualTo(NodeState.FENCED);
  }

  @Test
  void maintenanceOfAMoveTargetDecidedInTheSameRoundWaitsForTheNextRound() {
    // Found by fuzz (seed 20262082): a migrate command and a maintenance command for its target, applied in one
    // round, put the node in maintenance in the same write that placed a resource there (invariant 7).
    cluster(NodeConfig.standard("node3"));
    run(0, 3_000);
    assertThat(state().services().get("vm:1").state()).isEqualTo(ServiceState.STARTED);
    store.put(StorePaths.COMMANDS, new Commands(2, List.of(new Command.Migrate(1, "vm:1", "node2"),
        new Command.Maintenance(2, "node2", true))));
    int before = store.submitted.size();
    run(3_250, 4_000);
    List<ManagerState> written = new ArrayList<>();
    for (Txn txn : store.submitted.subList(before, store.submitted.size())) {
      for (Op op : txn.ops()) {
        if (op instanceof Op.Put p && p.path().equals(StorePaths.MANAGER_STATE)) written.add((ManagerState) p.value());
      }
    }
    ManagerState placing = written.stream().filter(ms -> ms.services().get("vm:1").state() == ServiceState.MIGRATE)
        .findFirst().orElseThrow();
    assertThat(placing.services().get("vm:1").target()).isEqualTo("node2");
    assertThat(placing.nodes().get("node2").state()).as("not in the write that places vm:1 there")
        .isEqualTo(NodeState.ONLINE);
    assertThat(placing.commandSeq()).as("the maintenance command waits").isEqualTo(1);
    assertThat(state().nodes().get("node2").state()).as("a round later").isEqualTo(NodeState.MAINTENANCE);
    assertThat(state().commandSeq()).isEqualTo(2);
  }

  @Test
  void aStandbyWaitsForTheLeaseToBeSilentForL() {
    cluster(NodeConfig.standard("node3"));
    store.put(StorePaths.MANAGER_LEASE, new ManagerLease("node2", 4, 0));
    run(0, timing.leaseMs() - timing.tickMs());
    assertThat(manager.role()).isEqualTo(Manager.Role.STANDBY);
    tick(timing.leaseMs());
    assertThat(manager.role()).isEqualTo(Manager.Role.ACTIVE);
    assertThat(manager.epoch()).isEqualTo(5);
    assertThat(log).contains("manager: node1 takes over as manager (epoch 5)");
  }

  /** node2 held the lease (epoch 4) and falls silent at 0 with its node; node1 watches as standby. */
  private long fenceOfTheOldManagersNodeAfterTakeOver(long pauseFromMs, long pauseToMs) {
    cluster(NodeConfig.standard("node3"));
    store.put(StorePaths.MANAGER_LEASE, new ManagerLease("node2", 4, 0));
    store.put(StorePaths.MANAGER_STATE, ManagerState.empty().withEpoch(4));
    silent.add("node2");
    for (long t = 0; t <= 3 * timing.leaseMs(); t += timing.tickMs()) {
      if (t >= pauseFromMs && t < pauseToMs) { // node1's manager is paused: no look at all
        store.nowMs = t;
        continue;
      }
      tick(t);
      if (record("node2").fenced()) return t;
    }
    throw new AssertionError("node2 never fenced: " + log);
  }

  @Test
  void aStandbyThatWatchedKeepsItsNodeTimersSoTheOldManagersNodeIsFencedAtTakeOver() {
    long fencedAt = fenceOfTheOldManagersNodeAfterTakeOver(-1, -1);
    assertThat(manager.epoch()).isEqualTo(5);
    assertThat(log).contains("manager: node timers kept from 8s of watching as standby: node1, node2, node3");
    // The lease and node2's record fell silent together: one L on node1's clock for both, not L after the lapse.
    assertThat(fencedAt).isEqualTo(timing.leaseMs());
  }

  @Test
  void aStandbyPausedWhileWatchingCountsSilenceOnlyFromItsFirstLookAfterThePause() {
    long resumeMs = 6_000; // paused 3 s > 2R + X: what happened meanwhile was not seen
    long fencedAt = fenceOfTheOldManagersNodeAfterTakeOver(3_000, resumeMs);
    assertThat(fencedAt).isEqualTo(resumeMs + timing.leaseMs());
    assertThat(indexOf("node timers kept")).isPositive();
  }

  @Test
  void aStandbyWithoutItsStoreKeepsNoTimer() {
    cluster(NodeConfig.standard("node3"));
    store.put(StorePaths.MANAGER_LEASE, new ManagerLease("node2", 4, 0));
    store.put(StorePaths.MANAGER_STATE, ManagerState.empty().withEpoch(4));
    silent.add("node2");
    run(0, timing.leaseMs() - timing.tickMs());
    store.synced = false;
    tick(timing.leaseMs());
    store.synced = true;
    run(timing.leaseMs() + timing.tickMs(), 2 * timing.leaseMs());
    assertThat(manager.role()).isEqualTo(Manager.Role.ACTIVE);
    assertThat(log).contains("manager: node timers start now: a full lease_timeout before a fence");
    assertThat(record("node2").fenced()).as("a full L after the take-over, not before").isFalse();
  }

  private int indexOf(String fragment) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(fragment)) return i;
    }
    return -1;
  }
}
