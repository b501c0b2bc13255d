package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Which nodes a manager round steps: a calm node (online, no order, an active record renewed within the unknown
 * threshold) is left out; anything that may make its step act brings it back, and stepping all leaves none out.
 */
class CalmNodesTest {
  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private final Timing timing = Timing.defaults();
  private final EventLog log = (s, m) -> { };
  private final ClusterConfig config;
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private final TreeMap<String, NodeTimer> timers = new TreeMap<>();
  private final TreeMap<String, Long> asked = new TreeMap<>();
  private ManagerState state;

  CalmNodesTest() {
    TreeMap<String, NodeConfig> nodes = new TreeMap<>();
    for (String n : NODES) {
      nodes.put(n, NodeConfig.standard(n));
      records.put(n, NodeRecord.fresh(n, "test", timing));
      timers.put(n, NodeTimer.start(1, records.get(n), 0));
    }
    config = new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL);
    state = withStatuses(Map.of("node1", NodeState.ONLINE, "node2", NodeState.ONLINE, "node3", NodeState.ONLINE));
  }

  private ManagerState withStatuses(Map<String, NodeState> states) {
    Working w = new Working(ManagerState.empty(), log);
    states.forEach((n, s) -> w.setNode(n, new NodeStatus(s, 0, null), "test"));
    return w.build(1);
  }

  private java.util.Collection<String> due(CalmNodes calm, long nowMs) {
    return calm.due(config, state, new Working(state, log), records, timers, asked, timing, nowMs);
  }

  @Test
  void aSteadyRoundStepsNoCalmNodeAndASilentOneOnceItsDeadlineIsDue() {
    CalmNodes calm = new CalmNodes(false);
    assertThat(due(calm, 1_000)).isEmpty();
    long unknownAt = timing.unknownAfterMs();
    timers.put("node1", timers.get("node1").seen(2, records.get("node1").renewed(AgentMode.ACTIVE,
        records.get("node1").results(), true, true, 0), unknownAt - 1)); // node1 renewed; the others fall silent
    assertThat(due(calm, unknownAt - 1)).isEmpty();
    assertThat(due(calm, unknownAt)).containsExactly("node2", "node3");
  }

  @Test
  void aRecordThatIsFencedDownOrAbsentOrAStatusNotOnlineOrAnOrderMakesANodeDue() {
    CalmNodes calm = new CalmNodes(false);
    records.put("node2", records.get("node2").fence());
    records.put("node3", records.get("node3").renewed(AgentMode.SHUTTING_DOWN, new TreeMap<>(), true, true, 0));
    assertThat(due(calm, 0)).containsExactly("node2", "node3");
    records.remove("node3");
    assertThat(due(calm, 0)).containsExactly("node2", "node3");
    records.put("node2", NodeRecord.fresh("node2", "test", timing));
    records.put("node3", NodeRecord.fresh("node3", "test", timing));
    state = withStatuses(Map.of("node1", NodeState.UNKNOWN, "node2", NodeState.ONLINE)); // node3: no status
    assertThat(due(calm, 0)).containsExactly("node1", "node3");
  }

  @Test
  void stepAllAnOperatorsFenceAskOrAChangeBeforeTheStepsStepEveryNode() {
    assertThat(due(new CalmNodes(true), 0)).containsExactlyElementsOf(NODES);
    CalmNodes calm = new CalmNodes(false);
    asked.put("node2", 0L);
    assertThat(due(calm, 0)).containsExactlyElementsOf(NODES);
    asked.clear();
    Working w = new Working(state, log);
    w.setNode("node1", new NodeStatus(NodeState.MAINTENANCE, 0, null), "operator");
    assertThat(calm.due(config, state, w, records, timers, asked, timing, 0)).containsExactlyElementsOf(NODES);
    assertThat(due(calm, 0)).isEmpty();
  }

  @Test
  void theNodesHeardFromAreTheSameSetWhileNoneJoinsOrLeavesIt() {
    CalmNodes calm = new CalmNodes(false);
    assertThat(calm.heard(timers, timing, 0)).isEmpty(); // started timers: this manager heard nobody yet
    for (String n : NODES) {
      timers.put(n, timers.get(n).seen(2, records.get(n).renewed(AgentMode.ACTIVE, records.get(n).results(), true,
          true, 0), 100));
    }
    java.util.Set<String> heard = calm.heard(timers, timing, 100);
    assertThat(heard).containsExactlyElementsOf(NODES);
    assertThat(calm.heard(timers, timing, 200)).isSameAs(heard);
    long unknownAt = 100 + timing.unknownAfterMs();
    assertThat(calm.heard(timers, timing, unknownAt)).isEmpty();
    assertThat(heard).containsExactlyElementsOf(NODES); // a set handed out never changes
  }

  @Test
  void missingKeysAreFoundByMergeOrByLookupAlike() {
    assertThat(SortedKeys.missing(List.of("a", "b", "d"), List.of("b", "c"))).containsExactly("a", "d");
    assertThat(SortedKeys.missing(List.of("d", "a", "b"), List.of("c", "b"))).containsExactly("d", "a");
    assertThat(SortedKeys.missing(List.of("a", "b"), List.of("c", "a"))).containsExactly("b");
    assertThat(SortedKeys.missing(List.of(), List.of("a"))).isEmpty();
  }
}
