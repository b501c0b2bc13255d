package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import palisade.core.StepAll;

/**
 * The manager skips stepping resources that cannot change (issue 14). Skipping must be invisible: random histories
 * replay event for event against a manager that steps every resource every round.
 */
class QuietRoundsTest {
  private static List<String> run(long seed, boolean stepAll) {
    List<String> log = new ArrayList<>();
    StepAll.set(stepAll);
    try {
      Fuzz.RunResult r = Fuzz.runOne(seed, 5, 600_000, log::add);
      assertThat(r.failure()).isNull();
    } finally {
      StepAll.set(false);
    }
    return log;
  }

  @Test
  void skippingChangesNoEvent() {
    for (long seed = 20261204; seed < 20261204 + 40; seed++) {
      List<String> skipping = run(seed, false);
      assertThat(skipping).hasSizeGreaterThan(100);
      assertThat(run(seed, true)).as("seed %s", seed).isEqualTo(skipping);
    }
  }
}
