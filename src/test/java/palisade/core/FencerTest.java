package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy's fence runs on their own, device answer by device answer: levels in order, all devices of a level
 * together, each level looking at the status first (a node already off is confirmed without an off); a failing level
 * falls through to the next; status polls are bounded; off confirmed is written to the history before power goes on
 * again; an order is run once, and never against a node that rejoined.
 */
class FencerTest {
  private final FakeStore store = new FakeStore();
  private final List<String> log = new ArrayList<>();
  /** Device calls in the order the fencer made them, `device action`, and their pending answers. */
  private final List<String> calls = new ArrayList<>();
  private final List<Callback<FenceDriver.Outcome>> answers = new ArrayList<>();
  private final FencePolicy policy = FencePolicy.defaults();
  private Fencer fencer;

  @BeforeEach
  void setUp() {
    store.put(StorePaths.node("node3"), NodeRecord.fresh("node3").fence()); // fence write of generation 1 done
    FenceDriver driver = (device, target, action, done) -> {
      calls.add(device + " " + action.label());
      answers.add(done);
    };
    fencer = new Fencer(new ProxyEnv(store, (s, m) -> log.add(s + ": " + m)) {
      public FenceDriver fences() {
        return driver;
      }
    }, policy, Timing.defaults());
  }

  private static ManagerState ordering(FenceTask... tasks) {
    TreeMap<String, FenceTask> fencing = new TreeMap<>();
    for (FenceTask t : tasks) fencing.put(t.target(), t);
    return new ManagerState(1, 100, 0, new TreeMap<>(), new TreeMap<>(), fencing, null);
  }

  private static FenceTask order(long attempt, String proxy, List<List<String>> levels) {
    return new FenceTask("node3", attempt, 1, proxy, levels);
  }

  /** Answers the oldest pending device call at nowMs. */
  private void answer(boolean ok, boolean poweredOn, long nowMs) {
    answers.remove(0).done(new FenceDriver.Outcome(ok, poweredOn, ok ? "" : "timeout", nowMs - 5, nowMs), nowMs);
  }

  private List<String> history() {
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    return h == null ? List.of() : h.entries().stream().map(FenceEntry::describe).toList();
  }

  @Test
  void runsLevelsInOrderFallsThroughAndConfirmsOffBeforePoweringOn() {
    ManagerState ms = ordering(order(7, "node1", List.of(List.of("pdu-a"), List.of("pdu-b1", "pdu-b2"))));
    fencer.tick(ms, 0);
    assertThat(calls).containsExactly("pdu-a status");
    answer(true, true, 5); // on: cut
    assertThat(calls).containsExactly("pdu-a status", "pdu-a off");
    answer(false, false, 10); // level 1 fails: level 2, both devices together, looking first
    assertThat(calls.subList(2, calls.size())).containsExactly("pdu-b1 status", "pdu-b2 status");
    answer(true, true, 12);
    answer(false, false, 14); // a status that fails does not stop the cut
    assertThat(calls.subList(4, calls.size())).containsExactly("pdu-b1 off", "pdu-b2 off");
    answer(true, false, 20);
    fencer.tick(ms, 250);
    assertThat(calls).as("no poll before every device of the level answered").hasSize(6);
    answer(true, false, 260);
    fencer.tick(ms, 500);
    assertThat(calls.subList(6, calls.size())).containsExactly("pdu-b1 status", "pdu-b2 status");
    answer(true, false, 510);
    assertThat(calls).as("no on while one device of the level is not confirmed off").hasSize(8);
    answer(true, false, 520); // both report off: confirmed, then power on
    assertThat(calls.subList(8, calls.size())).containsExactly("pdu-b1 on", "pdu-b2 on");
    fencer.tick(ms, 750);
    assertThat(history()).as("off confirmed reaches the history before power is back")
        .contains("node3 attempt 7 level 2 pdu-b1+pdu-b2 fence: off confirmed (by node1)");
    answer(true, true, 760);
    answer(true, true, 770);
    fencer.tick(ms, 1_000);
    answer(true, true, 1_010);
    answer(true, true, 1_020);
    fencer.tick(ms, 1_250);
    assertThat(history()).containsExactly(
        "node3 attempt 7 level 1 pdu-a status: on (by node1)",
        "node3 attempt 7 level 1 pdu-a off: error: timeout (by node1)",
        "node3 attempt 7 level 2 pdu-b1 status: on (by node1)",
        "node3 attempt 7 level 2 pdu-b2 status: error: timeout (by node1)",
        "node3 attempt 7 level 2 pdu-b1 off: ok (by node1)",
        "node3 attempt 7 level 2 pdu-b2 off: ok (by node1)",
        "node3 attempt 7 level 2 pdu-b1 status: off (by node1)",
        "node3 attempt 7 level 2 pdu-b2 status: off (by node1)",
        "node3 attempt 7 level 2 pdu-b1+pdu-b2 fence: off confirmed (by node1)",
        "node3 attempt 7 level 2 pdu-b1 on: ok (by node1)",
        "node3 attempt 7 level 2 pdu-b2 on: ok (by node1)",
        "node3 attempt 7 level 2 pdu-b1 status: on (by node1)",
        "node3 attempt 7 level 2 pdu-b2 status: on (by node1)",
        "node3 attempt 7 level 2 pdu-b1+pdu-b2 fence: on confirmed (by node1)");
    fencer.tick(ms, 5_000);
    assertThat(calls).as("a finished order is not run again").hasSize(12);
  }

  @Test
  void aNodeAlreadyOffIsConfirmedWithoutAnOffAndTheProxyLineSaysWhy() {
    FenceTask t = new FenceTask("node3", 7, 1, "node1", List.of(List.of("pdu-b1", "pdu-b2")), false,
        "same site dc1");
    ManagerState ms = ordering(t);
    fencer.tick(ms, 0);
    answer(true, false, 10);
    answer(true, false, 20); // both feeds already off
    assertThat(calls).containsExactly("pdu-b1 status", "pdu-b2 status", "pdu-b1 on", "pdu-b2 on");
    fencer.tick(ms, 250);
    assertThat(history()).containsExactly(
        "node3 attempt 7 level 1 - proxy: via node1 (same site dc1) (by node1)",
        "node3 attempt 7 level 1 pdu-b1 status: off (by node1)",
        "node3 attempt 7 level 1 pdu-b2 status: off (by node1)",
        "node3 attempt 7 level 1 pdu-b1+pdu-b2 fence: off confirmed (already off) (by node1)");
    FenceHistory h = store.get(StorePaths.FENCE_HISTORY, FenceHistory.class);
    assertThat(h.summary("node3", 7, FenceEntry.OFF_CONFIRMED)).as("the manager counts it as off confirmed")
        .isNotNull();
    assertThat(log).anyMatch(l -> l.contains("already off, no off sent"));
  }

  @Test
  void oneFeedOffAndOneOnIsCutLikeAnyOther() {
    ManagerState ms = ordering(order(7, "node1", List.of(List.of("pdu-b1", "pdu-b2"))));
    fencer.tick(ms, 0);
    answer(true, false, 10);
    answer(true, true, 20);
    assertThat(calls).containsExactly("pdu-b1 status", "pdu-b2 status", "pdu-b1 off", "pdu-b2 off");
  }

  @Test
  void statusPollsAreSpacedAndBoundedThenTheNextLevelIsTried() {
    ManagerState ms = ordering(order(7, "node1", List.of(List.of("pdu-a"), List.of("pdu-b"))));
    fencer.tick(ms, 0);
    answer(true, true, 5);
    answer(true, false, 10);
    long t = 250;
    for (int poll = 1; poll <= policy.pollMax(); poll++) {
      fencer.tick(ms, t);
      assertThat(calls).as("poll %d", poll).hasSize(2 + poll);
      answer(true, true, t); // still on: the next poll is due an interval after this answer
      fencer.tick(ms, t + policy.pollIntervalMs() - 1);
      assertThat(calls).as("polls are spaced").hasSize(2 + poll + (poll == policy.pollMax() ? 1 : 0));
      t += policy.pollIntervalMs();
    }
    assertThat(calls.get(calls.size() - 1)).isEqualTo("pdu-b status");
    assertThat(log).anyMatch(l -> l.contains("node3: level 1 failed (still not off after 10 polls)"));
  }

  @Test
  void everyLevelFailingIsReportedOnceAndOnlyANewOrderRunsAgain() {
    ManagerState ms = ordering(order(7, "node1", List.of(List.of("pdu-a"), List.of("pdu-b"))));
    fencer.tick(ms, 0);
    answer(false, false, 5);
    answer(false, false, 10);
    answer(false, false, 15);
    answer(false, false, 20);
    fencer.tick(ms, 250);
    assertThat(history()).contains("node3 attempt 7 level 2 pdu-b fence: all levels failed (by node1)");
    fencer.tick(ms, 500);
    assertThat(calls).containsExactly("pdu-a status", "pdu-a off", "pdu-b status", "pdu-b off");
    fencer.tick(ordering(order(8, "node1", List.of(List.of("pdu-a"), List.of("pdu-b")))), 5_000);
    assertThat(calls).containsExactly("pdu-a status", "pdu-a off", "pdu-b status", "pdu-b off", "pdu-a status");
  }

  @Test
  void neverPowersOffANodeWhoseLeaseNoLongerShowsThatFence() {
    store.put(StorePaths.node("node3"), store.get(StorePaths.node("node3"), NodeRecord.class).rejoined());
    fencer.tick(ordering(order(7, "node1", List.of(List.of("pdu-a")))), 0);
    assertThat(calls).isEmpty();
  }

  @Test
  void runsOnlyOrdersNamingThisNodeAsProxy() {
    fencer.tick(ordering(order(7, "node2", List.of(List.of("pdu-a")))), 0);
    assertThat(calls).isEmpty();
  }

  @Test
  void aWithdrawnOrderStopsAndItsLateAnswersAreIgnored() {
    fencer.tick(ordering(order(7, "node1", List.of(List.of("pdu-a")))), 0);
    fencer.tick(ordering(), 250);
    assertThat(log).contains("node1/fencer: node3: fence order 7 withdrawn");
    answer(true, true, 300);
    fencer.tick(ordering(), 500);
    assertThat(calls).containsExactly("pdu-a status");
    assertThat(history()).isEmpty();
  }

  @Test
  void historyWaitsForTheStoreAndIsNotWrittenTwice() {
    ManagerState ms = ordering(order(7, "node1", List.of(List.of("pdu-a"))));
    store.hold = true;
    fencer.tick(ms, 0);
    answer(false, false, 5);
    answer(false, false, 10); // the only level fails: three lines to write
    fencer.tick(ms, 250);
    assertThat(store.heldCount()).isEqualTo(1);
    store.commitHeld(260);
    fencer.tick(ms, 500);
    assertThat(store.heldCount()).as("nothing left to send").isZero();
    assertThat(history()).hasSize(3);
  }
}
