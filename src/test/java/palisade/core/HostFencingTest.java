package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's kdump level and soft fences, answer by answer: a kdump message confirms without any device call; no
 * message falls through to the power level; a soft-fence order restarts the daemon once and is history only.
 */
class HostFencingTest {
  private final FakeStore store = new FakeStore();
  private final List<String> calls = new ArrayList<>();
  private final List<Callback<FenceDriver.Outcome>> deviceAnswers = new ArrayList<>();
  private final List<Callback<KdumpDriver.Outcome>> kdumpAnswers = new ArrayList<>();
  private final List<Callback<SoftFenceDriver.Outcome>> softAnswers = new ArrayList<>();
  private Fencer fencer;

  @BeforeEach
  void setUp() {
    store.put(StorePaths.node("node3"), NodeRecord.fresh("node3").fence()); // fence write of generation 1 done
    fencer = new Fencer(new ProxyEnv(store, (s, m) -> { }) {
      public FenceDriver fences() {
        return (device, target, action, done) -> {
          calls.add(device + " " + action.label());
          deviceAnswers.add(done);
        };
      }

      public KdumpDriver kdump() {
        return (target, timeoutMs, done) -> {
          calls.add("listen " + target + " " + timeoutMs);
          kdumpAnswers.add(done);
        };
      }

      public SoftFenceDriver softFences() {
        return (target, done) -> {
          calls.add("restart " + target);
          softAnswers.add(done);
        };
      }
    }, FencePolicy.defaults(), Timing.defaults());
  }

  private static ManagerState state(FenceTask task, SoftFenceOrder soft) {
    TreeMap<String, FenceTask> fencing = new TreeMap<>();
    if (task != null) fencing.put(task.target(), task);
    TreeMap<String, SoftFenceOrder> softs = new TreeMap<>();
    if (soft != null) softs.put(soft.target(), soft);
    return new ManagerState(1, 100, 0, new TreeMap<>(), new TreeMap<>(), fencing, null, null, softs, null);
  }

  private static FenceTask kdumpThenBmc(long attempt) {
    return new FenceTask("node3", attempt, 1, "node1", List.of(List.of(KdumpLevel.DEVICE), List.of("bmc3")));
  }

  private List<String> history() {
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries().stream().map(FenceEntry::describe).toList();
  }

  @Test
  void aKdumpMessageConfirmsWithoutPowerOffOrOn() {
    ManagerState ms = state(kdumpThenBmc(7), null);
    fencer.tick(ms, 0);
    assertThat(calls).containsExactly("listen node3 " + KdumpLevel.WAIT_MS);
    kdumpAnswers.remove(0).done(new KdumpDriver.Outcome(true, "", 0, 4_000), 4_000);
    fencer.tick(ms, 4_250);
    assertThat(calls).as("no off, no on: the node reboots itself after its dump").hasSize(1);
    assertThat(history()).containsExactly("node3 attempt 7 level 1 kdump listen: message (by node1)",
        "node3 attempt 7 level 1 kdump fence: kdump confirmed (by node1)");
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h.summary("node3", 7, FenceEntry.KDUMP_CONFIRMED).kind()).isEqualTo("kdump");
    fencer.tick(ms, 10_000);
    assertThat(calls).as("a finished order is not run again").hasSize(1);
  }

  @Test
  void noKdumpMessageFallsThroughToThePowerLevel() { // which looks at its devices first, then cuts
    ManagerState ms = state(kdumpThenBmc(7), null);
    fencer.tick(ms, 0);
    kdumpAnswers.remove(0).done(new KdumpDriver.Outcome(false, "no kdump message from node3 within 12s", 0,
        12_000), 12_000);
    assertThat(calls).containsExactly("listen node3 " + KdumpLevel.WAIT_MS, "bmc3 status");
    fencer.tick(ms, 12_250);
    assertThat(history()).containsExactly(
        "node3 attempt 7 level 1 kdump listen: error: no kdump message from node3 within 12s (by node1)");
  }

  @Test
  void aSoftFenceOrderRestartsTheDaemonOnceAndIsOnlyHistory() {
    ManagerState ms = state(null, new SoftFenceOrder("node3", 9, "node1"));
    fencer.tick(ms, 0);
    fencer.tick(ms, 250);
    assertThat(calls).as("once per order").containsExactly("restart node3");
    softAnswers.remove(0).done(new SoftFenceDriver.Outcome(false, "ssh: connection refused", 0, 300), 300);
    fencer.tick(ms, 500);
    assertThat(history()).containsExactly("node3 attempt 9 level 0 ssh soft: error: ssh: connection refused "
        + "(by node1)");
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h.entries().get(0).kind()).isEqualTo("soft");
    assertThat(h.touched("node3", 9)).as("never counts as a fence attempt").isFalse();
    fencer.tick(ms, 1_000);
    assertThat(calls).hasSize(1);
    fencer.tick(state(null, new SoftFenceOrder("node3", 12, "node1")), 2_000);
    assertThat(calls).as("the next silence episode's order").containsExactly("restart node3", "restart node3");
  }

  @Test
  void aNodeWithASoftFenceNeedsNoWatchdogAndKdumpIsAReservedName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NodeConfig("n", true, List.of(), -1, true)
        .withFenceExtras(true, false)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("soft_fence=ssh is for a node without a watchdog");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NodeConfig("n", false, List.of(List.of("kdump")),
        -1, false)).hasMessageContaining("fence device name 'kdump' is reserved");
    NodeConfig nc = new NodeConfig("n", false, List.of(List.of("bmc")), -1, false).withFenceExtras(false, true);
    assertThat(KdumpLevel.levels(nc)).containsExactly(List.of("kdump"), List.of("bmc"));
  }
}
