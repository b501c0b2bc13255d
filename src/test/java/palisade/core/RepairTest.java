package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Repair after a watchdog fence, one manager round at a time with exact times: a node fenced by its watchdog, with
 * a fence device, still down at L + repair_after is power-cycled once per fence generation through a proxy; never
 * with repair_after off, never a node that is back, never a fence confirmed otherwise; a failed cycle is not retried.
 */
class RepairTest {
  private static final long AFTER_MS = 60_000;
  private final Timing timing = Timing.defaults();
  private final List<String> log = new ArrayList<>();
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  private final TreeMap<String, PowerFencing.Backoff> backoff = new TreeMap<>();
  private final java.util.TreeSet<String> stormAlerted = new java.util.TreeSet<>();
  private FenceHistory history = FenceHistory.empty();
  private ManagerState state = new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>());
  private Working w;
  private long repairAfterMs = AFTER_MS;

  /** node1 is the manager's node; node3 was fenced (generation 1) and its fence confirmed by its watchdog. */
  RepairTest() {
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, new NodeConfig(n, true, List.of(List.of("bmc-" + n)), -1, false));
      records.put(n, NodeRecord.fresh(n));
      timers.put(n, NodeTimer.start(0, records.get(n), 0));
    }
    records.put("node3", records.get("node3").fence());
    confirmedBy(ConfirmKind.WATCHDOG);
  }

  /** The manager's state: node1 and node2 online, node3 fenced at generation 1, confirmed by kind. */
  private void confirmedBy(ConfirmKind kind) {
    TreeMap<String, NodeStatus> statuses = new TreeMap<>();
    for (String n : List.of("node1", "node2")) statuses.put(n, new NodeStatus(NodeState.ONLINE, 0, null));
    statuses.put("node3", new NodeStatus(NodeState.FENCED, 1, new FenceConfirmation(kind, kind.name(), 1)));
    state = new ManagerState(1, 10, 0, statuses, new TreeMap<>());
    w = new Working(state, (s, m) -> log.add(s + ": " + m), stormAlerted);
  }

  /** One round for node3, silent for silentMs; the manager's history lines land in the history as it writes them. */
  private void round(long silentMs) {
    ClusterConfig config = new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL,
        null, repairAfterMs);
    NodeMachine nm = new NodeMachine(timing, config, w, records, timers, 1_700_000_000_000L + silentMs, "node1",
        new TreeMap<>());
    new PowerFencing(timing, FencePolicy.defaults(), config, w, nm, records, history, "node1",
        (s, m) -> log.add(s + ": " + m), backoff, new java.util.TreeMap<>()).step("node3", silentMs, silentMs);
    history = history.append(w.history);
    state = w.build(1);
    w = new Working(state, (s, m) -> log.add(s + ": " + m), stormAlerted);
  }

  private FenceTask order() {
    return state.fencing().get("node3");
  }

  private void proxySays(FenceTask t, String result) {
    history = history.append(List.of(new FenceEntry("node3", t.attempt(), 1, "bmc-node3", FenceEntry.CYCLE, result,
        t.proxy(), 5, 6)));
  }

  @Test
  void cyclesANodeStillDownAtLPlusRepairAfterOncePerGeneration() {
    round(timing.leaseMs() + AFTER_MS - 1);
    assertThat(order()).as("before L + repair_after").isNull();
    round(timing.leaseMs() + AFTER_MS);
    FenceTask t = order();
    assertThat(t).isNotNull();
    assertThat(t.repair()).isTrue();
    assertThat(t.proxy()).isEqualTo("node2");
    assertThat(t.generation()).isEqualTo(1);
    assertThat(t.levels()).containsExactly(List.of("bmc-node3"));
    FenceEntry ordered = history.entries().get(history.entries().size() - 1);
    assertThat(ordered.kind()).isEqualTo("power");
    assertThat(ordered.action()).isEqualTo(FenceEntry.CYCLE);
    assertThat(ordered.executor()).isEqualTo("node1");
    assertThat(ordered.attempt()).as("the manager's lines count generations").isEqualTo(1);
    assertThat(ordered.startedMs()).isEqualTo(1_700_000_000_000L + timing.leaseMs() + AFTER_MS);
    assertThat(history.touched("node3", 1)).as("a manager line is no proxy's attempt").isFalse();
    // A repair confirms nothing: node3 stays fenced by watchdog while the cycle runs, and after.
    proxySays(t, FenceEntry.OFF_CONFIRMED);
    round(timing.leaseMs() + AFTER_MS + 1_000);
    assertThat(state.nodes().get("node3").confirmation().kind()).isEqualTo(ConfirmKind.WATCHDOG);
    assertThat(order()).isEqualTo(t);
    proxySays(t, FenceEntry.ON_CONFIRMED);
    round(timing.leaseMs() + AFTER_MS + 2_000);
    assertThat(order()).isNull();
    assertThat(log).anyMatch(l -> l.contains("repair power cycle of node3 complete"));
    round(timing.leaseMs() + AFTER_MS * 5);
    assertThat(order()).as("once per fence generation").isNull();
    assertThat(state.nodes().get("node3").state()).isEqualTo(NodeState.FENCED);
  }

  @Test
  void offByDefault() {
    repairAfterMs = 0;
    round(timing.leaseMs() + AFTER_MS * 100);
    assertThat(order()).isNull();
    assertThat(history.entries()).isEmpty();
  }

  @Test
  void aNodeThatIsBackIsLeftAlone() {
    records.put("node3", records.get("node3").rejoined());
    round(timing.leaseMs() + AFTER_MS * 2);
    assertThat(order()).as("its record is no longer the fenced one").isNull();
  }

  @Test
  void onlyAWatchdogFenceOfANodeWithADeviceIsRepaired() {
    confirmedBy(ConfirmKind.MANUAL);
    round(timing.leaseMs() + AFTER_MS * 2);
    assertThat(order()).as("manual").isNull();
    confirmedBy(ConfirmKind.WATCHDOG);
    nodes.put("node3", new NodeConfig("node3", true, List.of(), -1, false));
    round(timing.leaseMs() + AFTER_MS * 2);
    assertThat(order()).as("no fence device").isNull();
  }

  @Test
  void aCycleThatFailedAtEveryLevelIsNotRetried() {
    round(timing.leaseMs() + AFTER_MS);
    FenceTask t = order();
    proxySays(t, FenceEntry.ALL_FAILED);
    round(timing.leaseMs() + AFTER_MS + 1_000);
    assertThat(order()).isNull();
    assertThat(log).anyMatch(l -> l.contains("ALERT: repair power cycle of node3 failed at every level"));
    round(timing.leaseMs() + AFTER_MS * 10);
    assertThat(order()).isNull();
  }

  @Test
  void theOrderClosesWhenTheNodeComesBackDuringTheCycle() {
    round(timing.leaseMs() + AFTER_MS);
    FenceTask t = order();
    proxySays(t, FenceEntry.OFF_CONFIRMED);
    records.put("node3", records.get("node3").rejoined());
    w.setNode("node3", new NodeStatus(NodeState.ONLINE, 1, state.nodes().get("node3").confirmation()), "rejoined");
    round(1_000);
    assertThat(order()).isNull();
    assertThat(log).anyMatch(l -> l.contains("node3 is online and back: repair order " + t.attempt() + " closed"));
  }
}
