package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.HaMode;
import palisade.core.ManagerState;
import palisade.core.NodeRecord;
import palisade.core.NodeState;
import palisade.core.NodeStatus;

/** `cluster disarm|arm --wait` and the status line: what the store shows, decided without a cluster. */
class HaCommandTest {
  private static ManagerState state(HaMode.Phase phase, HaMode.Kind kind, NodeState node3) {
    TreeMap<String, NodeStatus> nodes = new TreeMap<>(Map.of("node1", new NodeStatus(NodeState.ONLINE, 0, null),
        "node2", new NodeStatus(NodeState.ONLINE, 0, null), "node3", new NodeStatus(node3, 0, null)));
    return new ManagerState(1, 10, 0, nodes, new TreeMap<>(), new TreeMap<>(), null, null, null, null,
        phase == HaMode.Phase.ARMED ? null : new HaMode(phase, kind));
  }

  /** Every node's record; the ones named released say so. */
  private static TreeMap<String, NodeRecord> records(List<String> released) {
    TreeMap<String, NodeRecord> out = new TreeMap<>();
    for (String n : List.of("node1", "node2", "node3")) {
      out.put(n, NodeRecord.fresh(n, "process", palisade.core.Timing.defaults()).releasedAs(released.contains(n)));
    }
    return out;
  }

  private static WaitGoal.Verdict check(WaitGoal g, ManagerState ms, TreeMap<String, NodeRecord> recs) {
    return g.check(new WaitGoal.Snapshot(null, ms, recs, null, true));
  }

  @Test
  void disarmWaitsForEveryOnlineNodeToReleaseNotForAnUnknownOne() {
    ManagerState disarming = state(HaMode.Phase.DISARMING, HaMode.Kind.FREEZE, NodeState.UNKNOWN);
    WaitGoal.Verdict v = check(HaCommand.goal(true), disarming, records(List.of("node1")));
    assertThat(v).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(v.text()).isEqualTo("the cluster is disarming (freeze); not yet released: node2");
    assertThat(check(HaCommand.goal(true), state(HaMode.Phase.DISARMED, HaMode.Kind.FREEZE, NodeState.UNKNOWN),
        records(List.of("node1", "node2")))).isEqualTo(new WaitGoal.Done("the cluster is disarmed (freeze)"));
    assertThat(check(HaCommand.goal(true), state(HaMode.Phase.ARMED, null, NodeState.ONLINE), records(List.of())))
        .as("an arm came first").isInstanceOf(WaitGoal.Failed.class);
    assertThat(HaCommand.line(state(HaMode.Phase.DISARM_REQUESTED, HaMode.Kind.IGNORE, NodeState.FENCING),
        records(List.of()))).isEqualTo("the cluster is armed (disarm ignore requested)");
  }

  @Test
  void armWaitsForEveryOnlineNodeToReArm() {
    ManagerState arming = state(HaMode.Phase.ARMING, HaMode.Kind.IGNORE, NodeState.ONLINE);
    WaitGoal.Verdict v = check(HaCommand.goal(false), arming, records(List.of("node2", "node3")));
    assertThat(v.text()).isEqualTo("the cluster is arming (ignore); not yet re-armed: node2, node3");
    assertThat(check(HaCommand.goal(false), state(HaMode.Phase.ARMED, null, NodeState.ONLINE), records(List.of())))
        .isEqualTo(new WaitGoal.Done("the cluster is armed"));
    assertThat(HaCommand.json(arming, records(List.of("node3")))).containsEntry("mode", "arming")
        .containsEntry("kind", "ignore").containsEntry("waiting_for", List.of("node3"));
  }
}
