package palisade.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the manager counts its write's answer lost: after 2 R, or twice the last answered write's time, at most L. */
class ManagerWriteTest {
  private final Timing timing = Timing.defaults(); // R = 1 s, L = 8 s
  private final FakeStore store = new FakeStore();
  private final ManagerWrite write = new ManagerWrite();
  private final List<TxnResult> answers = new ArrayList<>();

  private void send(long nowMs) {
    write.submit(store, Txn.of(new Op.Put("/x", store.version("/x"), "v" + nowMs)), nowMs, (r, t) -> answers.add(r));
  }

  @Test
  void withoutHistoryAnAnswerIsWaitedForTwoRenewalIntervals() {
    store.hold = true;
    send(0);
    assertThat(write.awaited(timing, 2_000)).isTrue();
    assertThat(write.awaited(timing, 2_001)).isFalse();
    assertThat(write.lost(timing, 2_001)).isTrue();
    assertThat(write.lost(timing, 2_002)).isFalse(); // once
  }

  @Test
  void aSlowStoreIsWaitedForTwiceItsLastAnswerSoNoDecisionGoesOutTwice() {
    store.hold = true;
    send(0);
    store.commitHeld(2_500); // a large write under load: answered after 2.5 s
    assertThat(answers).hasSize(1);
    send(3_000);
    assertThat(write.awaited(timing, 3_000 + 5_000)).isTrue(); // 2 x 2.5 s, where 2 R gave up at 5 s
    assertThat(write.lost(timing, 3_000 + 5_001)).isTrue();
  }

  @Test
  void theWaitNeverPassesTheLeaseTimeout() {
    store.hold = true;
    send(0);
    store.commitHeld(30_000);
    send(30_000);
    assertThat(write.awaited(timing, 30_000 + 8_000)).isTrue();
    assertThat(write.awaited(timing, 30_000 + 8_001)).isFalse();
  }

  @Test
  void aLateAnswerOfAnEarlierWriteDoesNotEndTheWaitForTheNext() {
    store.hold = true;
    send(0);
    assertThat(write.lost(timing, 2_001)).isTrue();
    send(2_001);
    store.commitHeld(2_100); // the first write's answer, late
    assertThat(write.awaited(timing, 2_200)).isTrue();
    store.commitHeld(2_300);
    assertThat(write.awaited(timing, 2_400)).isFalse();
    assertThat(answers).hasSize(2);
  }
}
