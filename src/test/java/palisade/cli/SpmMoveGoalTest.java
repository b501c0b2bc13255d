package palisade.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import palisade.core.ManagerState;
import palisade.core.SpmRole;

/** `spm move NODE --wait`: done once NODE acts as SPM; failed once the manager dropped the move elsewhere. */
class SpmMoveGoalTest {
  private static WaitGoal.Snapshot snap(SpmRole spm, boolean applied) {
    ManagerState ms = new ManagerState(1, 9, applied ? 3 : 2, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), spm);
    return new WaitGoal.Snapshot(null, ms, new TreeMap<>(), null, applied);
  }

  @Test
  void doneOnlyOnceTheTargetHoldsTheRoleAndActs() {
    WaitGoal g = SpmCommand.movedTo("node2");
    assertThat(g.check(snap(new SpmRole("node1", 4, false), false))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(new SpmRole("node1", 4, true, "node2", 0), true))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(null, true))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(new SpmRole("node2", 5, true), true))).isInstanceOf(WaitGoal.Waiting.class);
    assertThat(g.check(snap(new SpmRole("node2", 5, false), true)).text()).isEqualTo(
        "node2 holds the SPM role (node2 (token 5))");
  }

  @Test
  void failsWhenTheMoveWasDroppedWithTheRoleElsewhere() {
    WaitGoal.Verdict v = SpmCommand.movedTo("node2").check(snap(new SpmRole("node1", 4, false), true));
    assertThat(v).isInstanceOf(WaitGoal.Failed.class);
    assertThat(v.text()).isEqualTo("the move was dropped; node1 (token 4) holds the role");
  }
}
