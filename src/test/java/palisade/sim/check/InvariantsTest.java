package palisade.sim.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ConfirmKind;
import palisade.core.FenceConfirmation;
import palisade.core.ManagerState;
import palisade.core.NodeState;
import palisade.core.NodeStatus;
import palisade.core.StorePaths;
import palisade.core.Versioned;
import palisade.sim.Violation;
import palisade.sim.scenario.Scenario;
import palisade.sim.scenario.ScenarioRunner;

/** The checkers themselves: each DESIGN invariant has one, named after its number, and it can fail. */
class InvariantsTest {
  @Test
  void everyDesignInvariantHasANamedChecker() {
    List<String> names = Arrays.stream(Invariants.class.getDeclaredMethods()).map(m -> m.getName()).toList();
    for (int i = 1; i <= 7; i++) {
      String prefix = "invariant" + i;
      assertThat(names).as("a checker for DESIGN invariant %d", i).anyMatch(n -> n.startsWith(prefix)
          && Character.isUpperCase(n.charAt(prefix.length())));
    }
  }

  /** A cluster whose node2 went into maintenance at 10s; vm:2 and vm:3 (restricted to node1) are stopped. */
  private static ScenarioRunner afterMaintenance() throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2 node3",
        "group g nodes=node1 restricted=yes",
        "resource vm:1 node=node2", "resource vm:2 node=node1 state=stopped",
        "resource vm:3 node=node1 state=stopped group=g",
        "at 10s maintenance node2 on", "expect at 25s node node2 maintenance", "expect at 25s vm:1 running on node1|node3",
        "run 30s"));
    ScenarioRunner r = new ScenarioRunner(s, 0, null);
    assertThat(r.run().failure()).isNull();
    return r;
  }

  @Test
  void invariant7NothingNewlyPlacedStartsOnANodeInMaintenance() throws Exception {
    ScenarioRunner r = afterMaintenance();
    // A start placed before the maintenance command (an older token) may still arrive; a newer one may not.
    assertThatCode(() -> r.invariants().onStart("vm:2", "node2", 1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> r.invariants().onStart("vm:2", "node2", 1_000)).isInstanceOf(Violation.class)
        .hasMessageContaining("invariant 7 (placement) violated at 30.000s: vm:2 starts on node2 under token 1000, "
            + "placed while node2 is in maintenance");
    assertThatCode(() -> r.invariants().onStart("vm:2", "node3", 1_000)).doesNotThrowAnyException();
  }

  @Test
  void invariant7ARestrictedGroupRunsOnlyOnItsNodes() throws Exception {
    ScenarioRunner r = afterMaintenance();
    assertThatCode(() -> r.invariants().onStart("vm:3", "node1", 1_000)).doesNotThrowAnyException();
    assertThatThrownBy(() -> r.invariants().onStart("vm:3", "node3", 1_000)).isInstanceOf(Violation.class)
        .hasMessageContaining("invariant 7 (placement) violated at 30.000s: vm:3 starts on node3 outside its "
            + "restricted group g (node1)");
  }

  @Test
  void invariant4AWatchdogConfirmationOfANodeWithoutAWorkingWatchdogIsCaught() throws Exception {
    // node3 is configured watchdog-protected but its machine has none; it is isolated and its fence written.
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2 node3",
        "node node3 watchdog=yes watchdog_device=none", "resource vm:3 node=node3",
        "at 10s network node3 off", "expect at 30s node node3 fencing", "run 30s"));
    ScenarioRunner r = new ScenarioRunner(s, 0, null);
    assertThat(r.run().failure()).isNull();
    ManagerState before = r.world().managerState();
    TreeMap<String, NodeStatus> nodes = new TreeMap<>(before.nodes());
    long gen = nodes.get("node3").generation() + 1;
    nodes.put("node3", new NodeStatus(NodeState.FENCED, gen, new FenceConfirmation(ConfirmKind.WATCHDOG,
        "watchdog", gen)));
    ManagerState lying = new ManagerState(before.epoch(), before.nextToken(), before.commandSeq(), nodes,
        before.services(), before.fencing(), before.spm());
    // What the manager would have written under the old rule (trusting the configuration): caught even before
    // the resource moves.
    assertThatThrownBy(() -> r.invariants().onWrite(StorePaths.MANAGER_STATE, new Versioned<>(before, 1), lying))
        .isInstanceOf(Violation.class).hasMessageContaining("invariant 4 (watchdog confirmation) violated at "
            + "30.000s: node3 confirmed fenced by watchdog (generation 1) but the incarnation that wrote the fenced "
            + "record had no working watchdog");
    // A manual confirmation of the same fence is the operator's word, checked against what runs (vm:3 does).
    assertThat(r.world().whereRunning("vm:3")).containsOnlyKeys("node3");
  }

  @Test
  void invariant1ASecondInstanceIsCaught() throws Exception {
    ScenarioRunner r = afterMaintenance();
    String on = r.world().whereRunning("vm:1").firstKey();
    String other = on.equals("node1") ? "node3" : "node1";
    assertThatThrownBy(() -> r.invariants().onStart("vm:1", other, 1_000)).isInstanceOf(Violation.class)
        .hasMessageContaining("invariant 1 (never two instances)");
  }
}
