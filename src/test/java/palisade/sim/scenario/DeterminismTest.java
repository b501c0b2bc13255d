package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The same seed replays the same run, event for event; another seed gives another run. */
class DeterminismTest {
  private static List<String> run(long seed) {
    List<String> log = new ArrayList<>();
    Fuzz.RunResult r = Fuzz.runOne(seed, 5, 300_000, log::add);
    assertThat(r.failure()).isNull();
    return log;
  }

  @Test
  void aSeedReplaysExactly() {
    List<String> a = run(7);
    List<String> b = run(7);
    assertThat(a).hasSizeGreaterThan(200);
    assertThat(b).isEqualTo(a);
  }

  @Test
  void differentSeedsDiffer() {
    assertThat(run(8)).isNotEqualTo(run(9));
  }
}
