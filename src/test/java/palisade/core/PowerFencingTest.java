package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The manager's power-fencing decisions on their own, one round at a time with exact times: the order waits for
 * the grace period and goes to an online proxy; only this order's "off confirmed" confirms the fence; every level
 * failing means a retry with growing backoff; the storm guard skips fencing (with one alert) while most nodes are
 * silent.
 */
class PowerFencingTest {
  private final Timing timing = Timing.defaults();
  private final FencePolicy policy = FencePolicy.defaults();
  private final List<String> log = new ArrayList<>();
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  /** The manager's memory across rounds: backoff and storm alerts. */
  private final TreeMap<String, PowerFencing.Backoff> backoff = new TreeMap<>();
  private final java.util.TreeSet<String> stormAlerted = new java.util.TreeSet<>();
  private FenceHistory history = FenceHistory.empty();
  /** The state between rounds, as the manager would have written it. */
  private ManagerState state = new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>());
  private Working w;

  /** node1 is the manager's node; every other node is online unless set otherwise; fenced ones fence-written. */
  PowerFencingTest() {
    for (String n : List.of("node1", "node2", "node3", "node4")) {
      nodes.put(n, new NodeConfig(n, false, List.of(List.of("pdu-" + n)), -1, false));
      records.put(n, NodeRecord.fresh(n));
      timers.put(n, new NodeTimer(0, 0, 0, false, 0, null));
    }
    w = new Working(state, (s, m) -> log.add(s + ": " + m), stormAlerted);
    for (String n : nodes.keySet()) w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
  }

  /** node's fence write committed: its record is fenced at generation 1 and the manager shows it fencing. */
  private void fenceWritten(String node) {
    records.put(node, records.get(node).fence());
    w.setNode(node, new NodeStatus(NodeState.FENCING, 0, null), "silent for L");
  }

  /** One round of power fencing for node, which has been silent for silentMs. */
  private void round(String node, long silentMs, long nowMs) {
    ClusterConfig config = new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL);
    NodeMachine nm = new NodeMachine(timing, config, w, records, timers);
    new PowerFencing(timing, policy, config, w, nm, records, history, "node1", (s, m) -> log.add(s + ": " + m),
        backoff, new java.util.TreeMap<>()).step(node, silentMs, nowMs);
    state = w.build(1);
    w = new Working(state, (s, m) -> log.add(s + ": " + m), stormAlerted);
  }

  private FenceTask order(String node) {
    return state.fencing().get(node);
  }

  private void historySays(FenceTask t, String result) {
    history = history.append(List.of(new FenceEntry(t.target(), t.attempt(), 1, "pdu-" + t.target(),
        FenceEntry.SUMMARY, result, t.proxy(), 0, 0)));
  }

  @Test
  void ordersAfterTheLeaseTimeoutThroughAnOnlineProxyOtherThanTheManager() {
    fenceWritten("node3");
    round("node3", timing.leaseMs() - 1, 20_000);
    assertThat(order("node3")).as("before L").isNull();
    round("node3", timing.leaseMs(), 20_001);
    FenceTask t = order("node3");
    assertThat(t).isNotNull();
    assertThat(t.proxy()).isEqualTo("node2");
    assertThat(t.generation()).isEqualTo(1);
    assertThat(t.levels()).containsExactly(List.of("pdu-node3"));
  }

  @Test
  void noOrderBeforeTheFenceWriteCommitted() {
    w.setNode("node3", new NodeStatus(NodeState.FENCING, 0, null), "silent for L"); // record not fenced yet
    round("node3", timing.leaseMs() * 10, 20_000);
    assertThat(order("node3")).isNull();
  }

  @Test
  void confirmsOnlyFromThisOrdersPowerOff() {
    fenceWritten("node3");
    round("node3", timing.leaseMs(), 20_000);
    FenceTask t = order("node3");
    historySays(new FenceTask("node3", t.attempt() - 1, 1, "node2", t.levels()), FenceEntry.OFF_CONFIRMED);
    round("node3", timing.leaseMs() + 1_000, 21_000);
    assertThat(state.nodes().get("node3").state()).as("an older attempt proves nothing").isEqualTo(NodeState.FENCING);
    historySays(t, FenceEntry.OFF_CONFIRMED);
    round("node3", timing.leaseMs() + 2_000, 22_000);
    NodeStatus st = state.nodes().get("node3");
    assertThat(st.state()).isEqualTo(NodeState.FENCED);
    assertThat(st.confirmation().kind()).isEqualTo(ConfirmKind.POWER);
    assertThat(st.confirmation().generation()).isEqualTo(1);
  }

  @Test
  void retriesWithGrowingBackoffWhenEveryLevelFailed() {
    fenceWritten("node3");
    round("node3", timing.leaseMs(), 20_000);
    FenceTask first = order("node3");
    historySays(first, FenceEntry.ALL_FAILED);
    round("node3", timing.leaseMs() + 1_000, 21_000);
    assertThat(order("node3")).isNull();
    assertThat(log).anyMatch(l -> l.contains("ALERT: every fence level of node3 failed (attempt " + first.attempt()
        + ", failure 1); retrying in 5s"));
    round("node3", timing.leaseMs() + 2_000, 21_000 + policy.retryBaseMs() - 1);
    assertThat(order("node3")).as("within the backoff").isNull();
    round("node3", timing.leaseMs() + 3_000, 21_000 + policy.retryBaseMs());
    FenceTask second = order("node3");
    assertThat(second).isNotNull();
    assertThat(second.attempt()).isGreaterThan(first.attempt());
    historySays(second, FenceEntry.ALL_FAILED);
    round("node3", timing.leaseMs() + 4_000, 30_000);
    assertThat(log).anyMatch(l -> l.contains("failure 2); retrying in 10s"));
    round("node3", timing.leaseMs() + 5_000, 30_000 + 2 * policy.retryBaseMs() - 1);
    assertThat(order("node3")).isNull();
  }

  @Test
  void theStormGuardSkipsFencingWhileMostNodesAreSilentAndAlertsOnce() {
    fenceWritten("node3");
    fenceWritten("node4");
    w.setNode("node2", new NodeStatus(NodeState.UNKNOWN, 0, null), "silent");
    for (int i = 0; i < 3; i++) round("node3", timing.leaseMs() + i, 20_000 + i);
    assertThat(order("node3")).isNull();
    assertThat(log.stream().filter(l -> l.contains("ALERT: storm guard")).count()).isEqualTo(1);
    assertThat(log).anyMatch(l -> l.contains("3 of 4 nodes are non-responsive; power fencing of node3 skipped"));
    w.setNode("node2", new NodeStatus(NodeState.ONLINE, 0, null), "back"); // now exactly half: not a storm
    round("node3", timing.leaseMs() + 10, 20_010);
    assertThat(order("node3")).isNotNull();
  }

  @Test
  void anOrderWhoseProxyWentSilentIsWithdrawn() {
    fenceWritten("node3");
    round("node3", timing.leaseMs(), 20_000);
    assertThat(order("node3").proxy()).isEqualTo("node2");
    w.setNode("node2", new NodeStatus(NodeState.UNKNOWN, 0, null), "silent");
    round("node3", timing.leaseMs() + 1_000, 21_000);
    assertThat(order("node3")).isNull();
    assertThat(log).anyMatch(l -> l.contains("proxy node2 is unknown: order withdrawn"));
  }
}
