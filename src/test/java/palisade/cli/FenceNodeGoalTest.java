package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ConfirmKind;
import palisade.core.FenceConfirmation;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;

/** `fence node --wait` returns on a confirmation newer than the one the node had, whatever the node did since. */
class FenceNodeGoalTest {
  private static WaitGoal.Verdict verdict(NodeStatus st) {
    TreeMap<String, NodeStatus> nodes = new TreeMap<>();
    nodes.put("node2", st);
    ManagerState ms = new ManagerState(1, 10, 1, nodes, new TreeMap<>());
    return FenceNodeCommand.fenced("node2", 1).check(new WaitGoal.Snapshot(null, ms, new TreeMap<>(), null, true));
  }

  @Test
  void anOlderFenceDoesNotCountANewOneDoesEvenAfterTheRejoin() {
    FenceConfirmation old = new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog", 1);
    assertThat(verdict(new NodeStatus(NodeState.ONLINE, 1, old))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(verdict(new NodeStatus(NodeState.FENCING, 1, null)).text()).isEqualTo("node2 is fencing");
    FenceConfirmation agent = new FenceConfirmation(ConfirmKind.AGENT, "node2's agent", 2);
    assertThat(verdict(new NodeStatus(NodeState.FENCED, 2, agent)).text())
        .isEqualTo("node2 is fenced (confirmed by agent)");
    assertThat(verdict(new NodeStatus(NodeState.ONLINE, 2, agent)).text())
        .isEqualTo("node2 is fenced (confirmed by agent); it is online again");
  }
}
