package palisade.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The simulator's packages show the architecture: sim.scenario -> sim.check -> sim -> core, one way; the wall-clock
 * benchmarks (palisade.bench) are used by the CLI only; and nothing in the simulator reads a wall clock, so a seed
 * replays exactly.
 */
class SimPackagesTest {
  private static final Path MAIN = Path.of("src/main/java/palisade");

  /** package directory (under palisade/) -> packages it must not name (imports and fully qualified names). */
  private static final Map<String, List<String>> FORBIDDEN = Map.of(
      "sim", List.of("palisade.sim.check", "palisade.sim.scenario", "palisade.bench", "palisade.cli",
          "palisade.runtime"),
      "sim/check", List.of("palisade.sim.scenario", "palisade.bench", "palisade.cli", "palisade.runtime"),
      "sim/scenario", List.of("palisade.bench", "palisade.cli", "palisade.runtime"));

  private static List<Path> sources(Path dir, boolean recursive) throws IOException {
    try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  @Test
  void arrowsPointOneWay() throws IOException {
    List<String> bad = new ArrayList<>();
    for (var e : FORBIDDEN.entrySet()) {
      for (Path f : sources(MAIN.resolve(e.getKey()), false)) {
        String text = Files.readString(f);
        for (String pkg : e.getValue()) {
          if (text.contains(pkg + ".")) bad.add(f + " names " + pkg);
        }
      }
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void onlyTheCliUsesTheBenchmarks() throws IOException {
    List<String> bad = new ArrayList<>();
    for (Path f : sources(MAIN, true)) {
      String rel = MAIN.relativize(f).toString().replace('\\', '/');
      if (rel.startsWith("bench/") || rel.startsWith("cli/")) continue;
      if (Files.readString(f).contains("palisade.bench")) bad.add(rel);
    }
    assertThat(bad).isEmpty();
  }

  @Test
  void theSimulatorReadsNoWallClock() throws IOException {
    List<String> bad = new ArrayList<>();
    for (Path f : sources(MAIN.resolve("sim"), true)) {
      String text = Files.readString(f);
      for (String clock : List.of("System.nanoTime", "System.currentTimeMillis", "Instant.now", "Clock.system",
          "LocalDateTime.now", "LocalDate.now", "ZonedDateTime.now")) {
        if (text.contains(clock)) bad.add(f + " reads " + clock);
      }
    }
    assertThat(bad).isEmpty();
  }
}
