package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The order of a live timing change's steps (DESIGN "Changing timings live"), agent and manager side. */
class TimingChangeTest {
  static final Timing OLD = Timing.defaults(); // R 1s, X 1s, W 5s, L 8s
  static final Timing RAISED = new Timing(1_000, 1_000, 10_000, 16_000, 10_000, 250);
  static final Timing LOWERED = new Timing(1_000, 1_000, 3_000, 6_000, 10_000, 250);

  private final List<String> events = new ArrayList<>();
  private final EventLog log = (source, message) -> events.add(source + ": " + message);

  @Test
  void anAgentRaisesItsClaimOnlyOnceTheManagerWaitsLongEnoughAndItsDeviceOnlyAfterAnAckOfThatClaim() {
    AgentTiming a = new AgentTiming(OLD);
    assertThat(a.step(RAISED, OLD, true)).as("the manager still waits 8s").isNull();
    assertThat(a.claim()).isEqualTo(OLD);
    assertThat(a.step(RAISED, RAISED, true)).contains("watchdog 10s");
    assertThat(a.claim().watchdogMs()).isEqualTo(10_000);
    assertThat(a.watchdogMs()).as("the device still counts the old W").isEqualTo(5_000);
    assertThat(a.atFeed(OLD)).as("an ack of a write that claimed the old W").isEqualTo(5_000);
    assertThat(a.atFeed(a.claim())).as("the ack of a write claiming the new W").isEqualTo(10_000);
    a.fed(10_000, 10_000, true);
    assertThat(a.watchdogMs()).isEqualTo(10_000);
  }

  @Test
  void anArmedAgentLowersItsDeviceAtAFeedBeforeItClaimsTheSmallerW() {
    AgentTiming a = new AgentTiming(OLD);
    assertThat(a.step(LOWERED, OLD, true)).as("armed: waits for a feed").isNull();
    assertThat(a.claim()).isEqualTo(OLD);
    assertThat(a.atFeed(OLD)).isEqualTo(3_000);
    assertThat(a.fed(3_000, 3_000, true)).isEqualTo("timing: watchdog 5s -> 3s");
    assertThat(a.step(LOWERED, OLD, true)).contains("watchdog 3s");
    assertThat(a.claim().watchdogMs()).isEqualTo(3_000);
  }

  @Test
  void aDeviceThatCannotCountTheSmallerWKeepsTheOldClaim() {
    AgentTiming a = new AgentTiming(OLD);
    a.step(LOWERED, OLD, true);
    a.fed(5_000, a.atFeed(OLD), false);
    assertThat(a.step(LOWERED, OLD, true)).isNull();
    assertThat(a.claim()).isEqualTo(OLD);
    assertThat(a.watchdogMs()).isEqualTo(5_000);
  }

  @Test
  void theManagerRaisesAtOnceAndLowersOnlyWhenEveryLiveMemberClaimsTheNewW() {
    ClusterConfig raised = config(RAISED);
    TreeMap<String, Object> store = new TreeMap<>(Map.of(StorePaths.TIMING, OLD));
    StoreView view = path -> store.containsKey(path) ? new Versioned<>(store.get(path), 3) : null;
    TimingChange m = new TimingChange();
    List<Op> ops = m.step(raised, 7, view, records(OLD, OLD), OLD, log);
    assertThat(ops).hasSize(2);
    assertThat(events).containsExactly("manager: timing: lease 8s -> 16s (raised before watchdog)");
    assertThat(m.effective(OLD, view).leaseMs()).as("waits the new L from the sending on").isEqualTo(16_000);

    TimingChange lowering = new TimingChange();
    store.put(StorePaths.TIMING, OLD);
    ClusterConfig lowered = config(LOWERED);
    assertThat(lowering.step(lowered, 7, view, records(LOWERED, OLD), OLD, log)).as("node2 still claims W 5s")
        .isEmpty();
    assertThat(events.get(1)).contains("lease stays 8s until node2 runs watchdog 5s");
    TreeMap<String, NodeRecord> fenced = records(LOWERED, OLD);
    fenced.put("node2", fenced.get("node2").fence());
    assertThat(lowering.step(lowered, 7, view, fenced, OLD, log)).as("fenced: it runs nothing").hasSize(2);
    assertThat(lowering.effective(OLD, view).leaseMs()).as("lowers only once the view shows it").isEqualTo(8_000);
  }

  @Test
  void aManagerWaitsForARecordAtLeastWhatItsClaimNeeds() {
    NodeTimer t = NodeTimer.start(1, NodeRecord.fresh("node1", "sim", RAISED), 0);
    assertThat(t.boundMs(OLD)).isEqualTo(TimingChange.needMs(RAISED, OLD)).isGreaterThan(OLD.leaseMs());
    assertThat(NodeTimer.start(1, NodeRecord.fresh("node1", "sim", LOWERED), 0).boundMs(OLD)).isEqualTo(8_000);
  }

  private static ClusterConfig config(Timing t) {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : List.of("node1", "node2")) nodes.put(n, NodeConfig.standard(n));
    return new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL, t);
  }

  private static TreeMap<String, NodeRecord> records(Timing node1, Timing node2) {
    TreeMap<String, NodeRecord> r = new TreeMap<>();
    r.put("node1", NodeRecord.fresh("node1", "sim", node1));
    r.put("node2", NodeRecord.fresh("node2", "sim", node2));
    return r;
  }
}
