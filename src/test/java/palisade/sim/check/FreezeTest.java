package palisade.sim.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.sim.SimStorage;
import palisade.sim.Violation;
import palisade.sim.scenario.Scenario;
import palisade.sim.scenario.ScenarioRunner;

/** A whole node frozen with its watchdog: what the checkers allow of its resumed processes, and what they do not. */
class FreezeTest {
  /** node3 runs vm:103 (with disks, or none) and holds the SPM role; frozen from 20s to 50s, longer than L. */
  private static ScenarioRunner frozenLong(String disks, String until) throws Exception {
    Scenario s = Scenario.parse("t.scn", List.of("nodes node1 node2 node3", "node node3 spm_priority=9",
        "node node2 spm_priority=2", "resource vm:103 node=node3 state=started" + disks, "at 20s freeze node3 30s",
        "run " + until));
    return new ScenarioRunner(s, 0, null);
  }

  @Test
  void aResumedInstanceWhoseWritesStorageRejectsIsTheOneOverlapAllowed() throws Exception {
    ScenarioRunner r = frozenLong(" disks=d103", "60s");
    assertThat(r.run().failure()).isNull();
    SimStorage st = r.world().storage();
    String recovered = r.world().whereRunning("vm:103").firstKey();
    assertThat(recovered).isIn("node1", "node2");
    assertThat(st.lastWriter("d103").node()).isEqualTo(recovered);
    assertThat(st.rejected("d103")).containsOnlyKeys("node3");
    assertThat(st.lastWriter(SimStorage.METADATA).node()).isEqualTo("node2");
    assertThat(st.rejected(SimStorage.METADATA)).containsOnlyKeys("node3");
    assertThat(r.world().whereRunning("vm:103")).containsOnlyKeys(recovered);
  }

  @Test
  void aResourceWithoutDisksHasNothingToRefuseItsResumedInstance() throws Exception {
    ScenarioRunner r = frozenLong("", "60s");
    assertThat(r.run().failure()).containsPattern("invariant 1 \\(never two instances\\) violated at 50\\.000s: vm:103 "
        + "runs on node[12] and node3");
  }

  @Test
  void anAcceptedWriteFromAnOlderTokenWhileANewerHolderRunsIsAViolation() throws Exception {
    ScenarioRunner r = frozenLong(" disks=d103", "40s");
    assertThat(r.run().failure()).isNull();
    long newer = r.world().whereRunning("vm:103").values().iterator().next();
    FreezeOverlap overlap = new FreezeOverlap(r.world());
    assertThatCode(() -> overlap.onStorageWrite("d103", "node3", "vm:103", newer - 1, false))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> overlap.onStorageWrite("d103", "node3", "vm:103", newer - 1, true))
        .isInstanceOf(Violation.class).hasMessageContaining("invariant 2 (newest token) violated at 40.000s: "
            + "storage accepted a write to d103 from node3 (vm:103, token " + (newer - 1) + ")");
    assertThatThrownBy(() -> overlap.onStorageWrite(SimStorage.METADATA, "node3", SimStorage.SPM_WRITER, 1, true))
        .isInstanceOf(Violation.class).hasMessageContaining("invariant 3 (one SPM) violated at 40.000s");
  }

  @Test
  void aStartLandingAfterTheResumeIsAllowedOnlyUnderTheTokenThatWasNewestWhenItsNodeFroze() throws Exception {
    ScenarioRunner r = frozenLong(" disks=d103", "40s");
    assertThat(r.run().failure()).isNull();
    long newer = r.world().whereRunning("vm:103").values().iterator().next();
    FreezeOverlap overlap = new FreezeOverlap(r.world());
    overlap.onWrite(palisade.core.StorePaths.MANAGER_STATE, null, r.world().managerState());
    overlap.onFreeze("node3", true); // as if node3 froze now, with the newer token already issued elsewhere
    overlap.onFreeze("node3", false);
    overlap.onHeldStart("vm:103", "node3", newer - 1);
    assertThat(overlap.heldStart("vm:103", "node3", newer - 1)).isFalse();
    overlap.onHeldStart("vm:103", "node3", newer);
    assertThat(overlap.heldStart("vm:103", "node3", newer)).isTrue();
  }

  @Test
  void whileFrozenItsProcessesCountAsNeitherRunningNorSpm() throws Exception {
    ScenarioRunner r = frozenLong(" disks=d103", "25s");
    assertThat(r.run().failure()).isNull();
    assertThat(r.world().whereRunning("vm:103")).isEmpty();
    assertThat(r.world().node("node3").spmToken()).isZero();
    assertThat(r.world().node("node3").powered()).isTrue();
  }

  @Test
  void theWordsAreCheckedAndTheMetadataNameIsReserved() {
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of("nodes node1", "at 1s freeze node1", "run 2s")))
        .hasMessageContaining("t.scn:2").hasMessageContaining("freeze NODE DURATION");
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of("nodes node1", "at 1s freeze node9 2s", "run 2s")))
        .hasMessageContaining("unknown node 'node9'");
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of("nodes node1", "expect at 1s storage d1 last node1",
        "run 2s"))).hasMessageContaining("storage D last writer NODE[|NODE...] or storage D rejected stale writes");
    assertThatThrownBy(() -> Scenario.parse("t.scn", List.of("nodes node1",
        "resource vm:1 node=node1 disks=spm-metadata", "run 2s"))).hasMessageContaining("reserved");
  }
}
