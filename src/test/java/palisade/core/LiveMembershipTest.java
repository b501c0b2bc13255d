package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Members added to and removed from a live cluster's /config (`palisade node add|remove`), the manager on its own
 * against a fake store with exact times: a node added before its host runs is never fenced for a silence that is
 * only its absence, it is timed (and fenced when silent) from its first record on; a removed node is forgotten and
 * never fenced.
 */
class LiveMembershipTest {
  private final FakeStore store = new FakeStore();
  private final List<String> log = new ArrayList<>();
  private final Timing timing = Timing.defaults();
  /** The nodes whose agents renew every second. */
  private final TreeSet<String> renewing = new TreeSet<>(List.of("node1", "node2", "node3"));
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private Manager manager;

  private void cluster() {
    for (String n : List.of("node1", "node2", "node3")) {
      nodes.put(n, NodeConfig.standard(n));
      store.put(StorePaths.node(n), NodeRecord.fresh(n, "test", timing));
    }
    configure();
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

  private void configure() {
    store.put(StorePaths.CONFIG, new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(),
        ShutdownPolicy.CONDITIONAL, timing));
  }

  private void run(long fromMs, long toMs) {
    for (long t = fromMs; t <= toMs; t += timing.tickMs()) {
      store.nowMs = t;
      if (t % timing.renewMs() == 0) {
        for (String n : renewing) {
          NodeRecord rec = store.get(StorePaths.node(n), NodeRecord.class);
          store.put(StorePaths.node(n), rec.renewed(AgentMode.ACTIVE, new TreeMap<>(), true, true, 0));
        }
      }
      manager.tick(t);
    }
  }

  private NodeState state(String node) {
    ManagerState ms = store.get(StorePaths.MANAGER_STATE, ManagerState.class);
    NodeStatus st = ms == null ? null : ms.nodes().get(node);
    return st == null ? null : st.state();
  }

  @Test
  void anAddedNodeIsTimedFromItsFirstRecordAndNeverFencedBeforeIt() {
    cluster();
    run(0, 3_000);
    nodes.put("node4", NodeConfig.standard("node4"));
    configure();
    // Its host is not up yet: four lease timeouts of absence.
    run(3_000 + timing.tickMs(), 3_000 + 4 * timing.leaseMs());
    assertThat(store.get(StorePaths.node("node4"), NodeRecord.class)).as("no fence write for node4").isNull();
    assertThat(state("node4")).isNotIn(NodeState.FENCING, NodeState.FENCED);
    assertThat(log).noneMatch(l -> l.contains("node4") && l.contains("fenc"));
    assertThat(log).noneMatch(l -> l.contains("fence write"));

    long joined = 3_000 + 4 * timing.leaseMs() + 1_000;
    store.put(StorePaths.node("node4"), NodeRecord.fresh("node4", "test", timing));
    renewing.add("node4");
    run(joined, joined + 5_000);
    assertThat(state("node4")).isEqualTo(NodeState.ONLINE);

    // From now on node4 is a member like any other: silent for L, it is fenced.
    renewing.remove("node4");
    long last = joined + 5_000;
    run(last + timing.tickMs(), last + timing.leaseMs() - timing.tickMs());
    assertThat(store.get(StorePaths.node("node4"), NodeRecord.class).fenced()).isFalse();
    run(last + timing.leaseMs(), last + timing.leaseMs());
    assertThat(store.get(StorePaths.node("node4"), NodeRecord.class).fenced()).isTrue();
  }

  @Test
  void aRemovedNodeIsForgottenAndNeverFenced() {
    cluster();
    run(0, 3_000);
    assertThat(state("node3")).isEqualTo(NodeState.ONLINE);
    renewing.remove("node3"); // its daemon stopped
    nodes.remove("node3");
    configure(); // `node remove node3`
    run(3_000 + timing.tickMs(), 3_000 + 3 * timing.leaseMs());
    assertThat(store.get(StorePaths.node("node3"), NodeRecord.class).fenced()).isFalse();
    assertThat(state("node3")).isNull();
    assertThat(log).contains("manager: node3: removed from the configuration: forgotten");
    assertThat(log).noneMatch(l -> l.contains("node3") && l.contains("fenc"));
    assertThat(log).noneMatch(l -> l.contains("fence write"));
    assertThat(Map.of("node1", state("node1"), "node2", state("node2"))).containsEntry("node1", NodeState.ONLINE)
        .containsEntry("node2", NodeState.ONLINE);
  }
}
