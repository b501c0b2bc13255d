package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * `node add|remove` in a scenario: parsed and printed back alike, names checked when parsed, a refused removal an
 * event that says why, and an added node known to later lines.
 */
class MemberActionsTest {
  private static ScenarioRunner.Result run(List<String> lines, List<String> log) throws Exception {
    Scenario s = Scenario.parse("t.scn", lines);
    return new ScenarioRunner(s, 0, log::add).run();
  }

  @Test
  void wordsReadBackAsTheSameAction() {
    Action a = Grammar.action(List.of("node", "add", "node4", "watchdog=no", "fence=pdu1"));
    assertThat(a).isInstanceOf(OperatorWords.Member.class);
    assertThat(a.words()).isEqualTo("node add node4 fence=pdu1 watchdog=no");
    assertThat(Grammar.action(List.of(a.words().split(" ")))).isEqualTo(a);
    assertThat(Grammar.action(List.of("node", "remove", "node3")).words()).isEqualTo("node remove node3");
  }

  @Test
  void badLinesNameTheProblem() {
    List<String> base = List.of("nodes node1 node2 node3", "fence-device pdu1 type=sim", "run 60s");
    for (String[] c : new String[][] {{"at 10s node add node2", "node 'node2' exists already"},
        {"at 10s node remove node9", "unknown node 'node9'"},
        {"at 10s node add node4 colour=red", "unknown key 'colour'"},
        {"at 10s node add node4 fence=pdu9", "unknown fence device 'pdu9'"},
        {"at 10s node add node4 watchdog", "expected KEY=VALUE"},
        {"at 10s node remove node2 now", "node remove NODE"}}) {
      List<String> lines = new ArrayList<>(base);
      lines.add(1, c[0]);
      assertThatThrownBy(() -> Scenario.parse("t.scn", lines)).as(c[0]).hasMessageContaining("t.scn:2")
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void aRefusedRemovalSaysWhyAndAnAddedNodeJoins() throws Exception {
    List<String> log = new ArrayList<>();
    ScenarioRunner.Result r = run(List.of("nodes node1 node2 node3", "resource vm:1 node=node2 state=started",
        "at 10s node remove node2", "at 12s node add node4", "expect at 50s node node4 online",
        "expect at 50s vm:1 running on node2", "run 60s"), log);
    assertThat(r.failure()).isNull();
    assertThat(log).anyMatch(l -> l.contains("operator: node remove node2 refused: node2 is online: stop the node "
        + "first"));
    assertThat(r.world().config().nodes()).containsKeys("node2", "node4");
  }
}
