package palisade.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random failure histories of 3 to 7 nodes (power, isolation, partitions, pauses, lost and late acknowledgements,
 * reboots, operator commands), each checked against every invariant on every event, then for convergence.
 */
class FuzzTest {
  static final int RUNS = 2_000;

  @Test
  void twoThousandRandomHistoriesKeepEveryInvariant() {
    long seed = Long.getLong("palisade.fuzz.seed", 20261122L);
    List<Fuzz.RunResult> results = Fuzz.runAll(RUNS, seed, null, 600_000, true);
    List<String> failures = results.stream().filter(r -> r.failure() != null)
        .map(r -> r.failure() + "\n  replay: " + r.replay()).toList();
    assertThat(results.stream().mapToInt(Fuzz.RunResult::nodes).min().orElseThrow()).isEqualTo(3);
    assertThat(results.stream().mapToInt(Fuzz.RunResult::nodes).max().orElseThrow()).isEqualTo(7);
    System.out.printf("fuzz: %d runs, %d violations, %.1f simulated hours%n", RUNS, failures.size(),
        RUNS * (600_000 + Fuzz.SETTLE_MS) / 3_600_000.0);
    assertThat(failures).isEmpty();
  }
}
