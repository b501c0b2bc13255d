package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

  /**
   * A history is the same records whether fuzz builds them or a file holds them: printed as a scenario file and read
   * back, it replays event for event under its seed line. (The histories that once failed live in
   * src/test/scenarios/r-fuzz-*.scn, where ScenarioSuiteTest runs them.)
   */
  @Test
  void aHistoryPrintedAsAScenarioFileReplaysEventForEvent() throws Exception {
    for (long seed : new long[] {5887, 11, 12}) {
      List<String> direct = new ArrayList<>();
      Fuzz.RunResult r = Fuzz.runOne(seed, null, 300_000, direct::add);
      assertThat(r.failure()).isNull();
      List<String> text = Fuzz.scenario(seed, null, 300_000).text(List.of("Intent: a replay"));
      Scenario s = Scenario.parse("fuzz-" + seed + ".scn", text);
      assertThat(s.seed()).isEqualTo(seed);
      List<String> replayed = new ArrayList<>();
      assertThat(new ScenarioRunner(s, s.seed(), replayed::add).run().failure()).isNull();
      List<String> events = direct.stream().filter(l -> !l.startsWith("#")).toList();
      assertThat(events).hasSizeGreaterThan(100).anyMatch(l -> l.endsWith("check: ok: converged"));
      assertThat(replayed).isEqualTo(events);
      assertThat(Scenario.parse("again.scn", s.text(List.of())).text(List.of())).isEqualTo(s.text(List.of()));
    }
  }

  /**
   * Fuzz draws up to 2 % acknowledgement loss, so every W it draws outlasts three acknowledgements lost in a row, as
   * the default timings do (1 s + 3 × (1 s + 250 ms) + 250 ms = 5 s); a W that outlasts only one reset healthy nodes
   * at random late in healed histories (seeds 20263724, 20264669, 77292; a-lost-acks-two-in-a-row.scn).
   */
  @Test
  void everyDrawnWatchdogOutlastsThreeLostAcknowledgements() {
    assertThat(FuzzTimings.lostAcksMs(1_000, 1_000)).isEqualTo(5_000);
    List<Scenario.At> steps = new ArrayList<>();
    for (long seed = 0; seed < 3_000; seed++) FuzzTimings.add(new Random(seed), steps, 600_000);
    List<Action.SetTiming> drawn = steps.stream().map(Scenario.At::action)
        .filter(a -> a instanceof Action.SetTiming).map(a -> (Action.SetTiming) a).toList();
    assertThat(drawn).hasSizeGreaterThan(1_000)
        .allMatch(t -> t.watchdogMs() >= FuzzTimings.lostAcksMs(t.renewMs(), t.ackMs()))
        .anyMatch(t -> t.watchdogMs() == FuzzTimings.lostAcksMs(t.renewMs(), t.ackMs())); // the floor binds
  }
}
