package palisade.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every scenario of src/test/scenarios (tests as data): each must hold all its expectations and every
 * invariant, under several seeds (expectations must not depend on one lucky interleaving).
 */
class ScenarioSuiteTest {
  private static final Path DIR = Path.of("src/test/scenarios");
  private static final long[] SEEDS = {0, 1, 2};

  static List<Path> scenarios() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".scn")).sorted().toList();
    }
  }

  @Test
  void theSuiteIsLargeEnough() throws IOException {
    assertThat(scenarios()).hasSizeGreaterThanOrEqualTo(35);
  }

  @TestFactory
  Stream<DynamicTest> everyScenarioPasses() throws IOException {
    return scenarios().stream().flatMap(file -> java.util.Arrays.stream(SEEDS).mapToObj(seed ->
        DynamicTest.dynamicTest(file.getFileName() + " seed " + seed, () -> {
          Scenario s = Scenario.load(file);
          StringBuilder log = new StringBuilder();
          ScenarioRunner.Result r = new ScenarioRunner(s, seed, line -> log.append(line).append('\n')).run();
          assertThat(r.failure()).as("%s (seed %d)%n%s", file, seed, tail(log)).isNull();
        })));
  }

  private static String tail(StringBuilder log) {
    String[] lines = log.toString().split("\n");
    int from = Math.max(0, lines.length - 60);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }
}
