package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The manager's SPM decisions on their own, round by round: the online node with the highest spm_priority gets
 * the role; it moves only after the holder reported it released the role, shut down cleanly, or its fence was
 * confirmed; a holder that merely went silent keeps it (DESIGN invariant 3).
 */
class SpmMachineTest {
  private final List<String> log = new ArrayList<>();
  private final TreeMap<String, NodeConfig> nodes = new TreeMap<>();
  private final TreeMap<String, NodeRecord> records = new TreeMap<>();
  private ManagerState state = new ManagerState(1, 10, 0, new TreeMap<>(), new TreeMap<>());
  private Working w;

  SpmMachineTest() {
    int[] priorities = {1, 2, -1};
    for (int i = 0; i < priorities.length; i++) {
      String n = "node" + (i + 1);
      nodes.put(n, new NodeConfig(n, true, List.of(), priorities[i], false));
      records.put(n, NodeRecord.fresh(n));
    }
    w = new Working(state, (s, m) -> log.add(s + ": " + m));
    for (String n : nodes.keySet()) w.setNode(n, new NodeStatus(NodeState.ONLINE, 0, null), "test");
    round();
  }

  private static final long WALL_MS = 1_700_000_000_000L;

  private SpmMachine machine() {
    return new SpmMachine(new ClusterConfig(nodes, new TreeMap<>(), new TreeMap<>(), ShutdownPolicy.CONDITIONAL), w,
        records, WALL_MS);
  }

  private void round() {
    machine().step();
    state = w.build(1);
    w = new Working(state, (s, m) -> log.add(s + ": " + m));
  }

  private void node(String node, NodeState s, FenceConfirmation c, long generation) {
    w.setNode(node, new NodeStatus(s, generation, c), "test");
  }

  private void reportsReleased(String node, long token) {
    records.put(node, records.get(node).renewed(AgentMode.ACTIVE, new TreeMap<>(), true, true, token));
  }

  @Test
  void theHighestPriorityOnlineNodeGetsTheRole() {
    assertThat(state.spm().node()).isEqualTo("node2");
    assertThat(state.spm().releasing()).isFalse();
    assertThat(log).contains("manager: spm: none -> node2 (token 10) (highest spm_priority (2) online)");
  }

  @Test
  void maintenanceAsksForTheRoleBackAndMovesItOnlyAfterTheHolderReportsTheRelease() {
    SpmRole first = state.spm();
    node("node2", NodeState.MAINTENANCE, null, 0);
    round();
    assertThat(state.spm()).isEqualTo(first.release());
    for (int i = 0; i < 3; i++) round();
    assertThat(state.spm().node()).as("no report yet: nobody else may act").isEqualTo("node2");
    reportsReleased("node2", first.token() - 1); // an older token's release says nothing about this one
    round();
    assertThat(state.spm().node()).isEqualTo("node2");
    reportsReleased("node2", first.token());
    round();
    assertThat(state.spm().node()).isEqualTo("node1");
    assertThat(state.spm().token()).isGreaterThan(first.token());
  }

  @Test
  void spmMoveIsRefusedForAnUnknownOrIneligibleNodeOrTheHolder() {
    assertThat(machine().moveCommand("node9", "op")).isEqualTo("unknown node node9");
    assertThat(machine().moveCommand("node3", "op")).isEqualTo("node3 has spm_priority -1");
    assertThat(machine().moveCommand("node2", "op")).isEqualTo("node2 already holds the SPM role");
    node("node1", NodeState.MAINTENANCE, null, 0);
    assertThat(machine().moveCommand("node1", "op")).isEqualTo("node1 is in maintenance");
    node("node1", NodeState.UNKNOWN, null, 0);
    assertThat(machine().moveCommand("node1", "op")).isEqualTo("node1 is unknown");
    assertThat(w.spm()).isEqualTo(state.spm());
  }

  @Test
  void spmMoveReleasesTheHolderFirstThenNamesTheAskedNodeSinceNow() {
    SpmRole first = state.spm();
    nodes.put("node1", new NodeConfig("node1", true, List.of(), 0, false)); // lowest priority: named only if asked
    nodes.put("node3", new NodeConfig("node3", true, List.of(), 1, false));
    assertThat(machine().moveCommand("node1", "op")).isNull();
    round();
    assertThat(state.spm()).isEqualTo(new SpmRole("node2", first.token(), true, "node1", first.sinceMs()));
    assertThat(machine().moveCommand("node3", "op")).isEqualTo("the SPM role is already being released by node2");
    round();
    assertThat(state.spm().node()).as("not released yet: nobody else may act").isEqualTo("node2");
    reportsReleased("node2", first.token());
    round();
    assertThat(state.spm()).isEqualTo(new SpmRole("node1", first.token() + 1, false, null, WALL_MS));
    round();
    assertThat(state.spm().node()).as("no way back by priority").isEqualTo("node1");
  }

  @Test
  void aSilentHolderKeepsTheRoleUntilItsFenceIsConfirmed() {
    SpmRole first = state.spm();
    node("node2", NodeState.UNKNOWN, null, 0);
    round();
    node("node2", NodeState.FENCING, null, 0);
    round();
    records.put("node2", records.get("node2").fence());
    round();
    assertThat(state.spm()).as("silent, even fence-written, but not confirmed").isEqualTo(first);
    node("node2", NodeState.FENCED, new FenceConfirmation(ConfirmKind.WATCHDOG, "watchdog", 1), 1);
    round();
    assertThat(state.spm().node()).isEqualTo("node1");
    assertThat(log).anyMatch(l -> l.contains("node2 (token 10) -> none (node2 fence confirmed)"));
  }

  @Test
  void aCleanShutdownLetsTheRoleGo() {
    node("node2", NodeState.OFFLINE, null, 0);
    round();
    assertThat(state.spm().node()).isEqualTo("node1");
  }

  @Test
  void nobodyHoldsItWhileNoNodeIsEligible() {
    node("node2", NodeState.OFFLINE, null, 0);
    node("node1", NodeState.UNKNOWN, null, 0);
    round();
    assertThat(state.spm()).isNull();
    assertThat(nodes.get("node3").spmPriority()).isEqualTo(-1); // online, but never SPM
    node("node1", NodeState.ONLINE, null, 0);
    records.put("node1", new NodeRecord("node1", 0, false, 5, AgentMode.ACTIVE, new TreeMap<>(), true, false, 0,
        null, null, 0));
    round();
    assertThat(state.spm()).as("renewals not in time").isNull();
  }
}
