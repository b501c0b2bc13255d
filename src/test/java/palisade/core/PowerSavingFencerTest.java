package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's part of power saving: an off order looks first, cuts, polls until off and stops there (no power on);
 * an on order only powers on and polls until on; each ends in a `power saving` summary line, never a fence line; and
 * neither runs unless the manager holds the target in standby.
 */
class PowerSavingFencerTest {
  private final FakeStore store = new FakeStore();
  private final List<String> calls = new ArrayList<>();
  private final List<Callback<FenceDriver.Outcome>> answers = new ArrayList<>();
  private Fencer fencer;

  @BeforeEach
  void setUp() {
    store.put(StorePaths.node("node3"), NodeRecord.fresh("node3")); // alive, never fenced
    FenceDriver driver = (device, target, action, done) -> {
      calls.add(device + " " + action.label());
      answers.add(done);
    };
    fencer = new Fencer(new ProxyEnv(store, (s, m) -> { }) {
      public FenceDriver fences() {
        return driver;
      }
    }, FencePolicy.defaults(), Timing.defaults());
  }

  private static ManagerState state(NodeState node3, FenceTask t) {
    TreeMap<String, NodeStatus> nodes = new TreeMap<>();
    nodes.put("node3", new NodeStatus(node3, 0, null));
    TreeMap<String, FenceTask> fencing = new TreeMap<>();
    fencing.put("node3", t);
    return new ManagerState(1, 100, 0, nodes, new TreeMap<>(), fencing, null);
  }

  private static FenceTask order(long attempt, PowerAction action) {
    return new FenceTask("node3", attempt, 5, "node1", List.of(List.of("bmc3")), false, "test", action);
  }

  private void answer(boolean poweredOn, long nowMs) {
    answers.remove(0).done(new FenceDriver.Outcome(true, poweredOn, "", nowMs - 5, nowMs), nowMs);
  }

  private List<String> history() {
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries().stream().map(FenceEntry::describe).toList();
  }

  @Test
  void anOffOrderCutsConfirmsOffAndNeverPowersOn() {
    ManagerState ms = state(NodeState.STANDBY, order(7, PowerAction.OFF));
    fencer.tick(ms, 0);
    answer(true, 5); // on: cut
    answer(true, 10);
    fencer.tick(ms, 250);
    answer(false, 260); // off: done
    fencer.tick(ms, 500);
    fencer.tick(ms, 5_000);
    assertThat(calls).containsExactly("bmc3 status", "bmc3 off", "bmc3 status");
    assertThat(history()).contains("node3 attempt 7 level 1 bmc3 power saving: power off (power saving) (by node1)")
        .noneMatch(l -> l.contains(" fence: "));
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h.lastSaving("node3").result()).isEqualTo(FenceEntry.SAVING_OFF);
    assertThat(h.summary("node3", 7, FenceEntry.OFF_CONFIRMED)).as("no fence confirmation").isNull();
  }

  @Test
  void anOnOrderOnlyPowersOn() {
    ManagerState ms = state(NodeState.STANDBY, order(8, PowerAction.ON));
    fencer.tick(ms, 0);
    answer(true, 5);
    fencer.tick(ms, 250);
    answer(true, 260);
    fencer.tick(ms, 500);
    assertThat(calls).containsExactly("bmc3 on", "bmc3 status");
    assertThat(history()).contains("node3 attempt 8 level 1 bmc3 power saving: power on (power saving) (by node1)");
  }

  @Test
  void runsOnlyWhileTheTargetIsInStandby() {
    fencer.tick(state(NodeState.ONLINE, order(7, PowerAction.OFF)), 0);
    assertThat(calls).as("an online node is never powered off by a power saving order").isEmpty();
  }
}
