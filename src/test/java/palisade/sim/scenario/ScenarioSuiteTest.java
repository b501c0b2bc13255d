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
 * invariant, under several seeds (expectations must not depend on one lucky interleaving). A file with a `seed`
 * line (a history found by fuzz) runs under that seed, the one it was found with.
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
    return scenarios().stream().flatMap(file -> seeds(file).mapToObj(seed ->
        DynamicTest.dynamicTest(file.getFileName() + " seed " + seed, () -> {
          Scenario s = Scenario.load(file);
          StringBuilder log = new StringBuilder();
          ScenarioRunner.Result r = new ScenarioRunner(s, seed, line -> log.append(line).append('\n')).run();
          assertThat(r.failure()).as("%s (seed %d)%n%s", file, seed, tail(log)).isNull();
        })));
  }

  private static java.util.stream.LongStream seeds(Path file) {
    try {
      Long own = Scenario.load(file).seed();
      return own != null ? java.util.stream.LongStream.of(own) : java.util.Arrays.stream(SEEDS);
    } catch (Scenario.ScenarioException e) {
      return java.util.Arrays.stream(SEEDS); // the test itself reports the bad file
    }
  }

  @Test
  void fuzzRegressionsCarryTheirSeed() throws Exception {
    List<Path> regressions = scenarios().stream().filter(p -> p.getFileName().toString().startsWith("r-fuzz-"))
        .toList();
    assertThat(regressions).hasSizeGreaterThanOrEqualTo(4);
    for (Path p : regressions) {
      assertThat(Scenario.load(p).seed()).as(p.toString()).isNotNull();
      assertThat(Files.readAllLines(p).get(0)).as(p.toString()).startsWith("# Intent: ");
    }
  }

  private static String tail(StringBuilder log) {
    String[] lines = log.toString().split("\n");
    int from = Math.max(0, lines.length - 60);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }
}
