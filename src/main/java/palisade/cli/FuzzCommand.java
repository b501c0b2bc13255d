package palisade.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import palisade.sim.scenario.Fuzz;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `palisade sim fuzz`: random failure histories checked against every invariant. */
@Command(name = "fuzz", description = "Run random failure histories and check the invariants. Exit 0 when all "
    + "held, 1 on a violation (the seed and the replay command are printed), 2 on bad arguments.")
final class FuzzCommand implements Callable<Integer> {
  @Option(names = "--runs", description = "number of histories (default ${DEFAULT-VALUE})", defaultValue = "100")
  int runs;

  @Option(names = "--seed", description = "first seed (default ${DEFAULT-VALUE})", defaultValue = "1")
  long seed;

  @Option(names = "--nodes", description = "nodes per history (default: 3 to 7, drawn per run)")
  Integer nodes;

  /**
   * Longest faulty phase: with the settling phase a history stays within a scenario's longest run (one day), and one
   * history's work stays bounded (the fuzz draws at most 2 resources per node).
   */
  static final long MAX_DURATION_MS = 12 * 3_600_000L;

  @Option(names = "--duration", description = "faulty phase per history (default ${DEFAULT-VALUE})",
      defaultValue = "10m", converter = DurationConverter.class)
  long durationMs;

  @Option(names = "--verbose", description = "print each history and its event log")
  boolean verbose;

  @Option(names = "--save", paramLabel = "DIR", description = "where a failing history is written as a scenario "
      + "file that replays it, fuzz-SEED.scn (default: the current directory)", defaultValue = ".")
  Path saveDir;

  @Override
  public Integer call() {
    if (runs < 1) return usage("--runs must be at least 1");
    if (nodes != null && (nodes < 1 || nodes > 50)) return usage("--nodes must be between 1 and 50");
    if (durationMs < 1_000) return usage("--duration must be at least 1s");
    if (durationMs > MAX_DURATION_MS) return usage("--duration must be at most 12h");
    long started = System.nanoTime();
    List<Fuzz.RunResult> results;
    if (verbose) {
      results = new java.util.ArrayList<>();
      for (int i = 0; i < runs; i++) results.add(Fuzz.runOne(seed + i, nodes, durationMs, System.out::println));
    } else {
      results = Fuzz.runAll(runs, seed, nodes, durationMs, true);
    }
    int violations = 0;
    for (Fuzz.RunResult r : results) {
      if (r.failure() == null) continue;
      violations++;
      System.out.println("VIOLATION seed=" + r.seed() + " nodes=" + r.nodes() + ": " + r.failure());
      System.out.println("  replay: " + r.replay());
      save(r);
    }
    double hours = runs * (durationMs + 240_000L) / 3_600_000.0;
    double wall = (System.nanoTime() - started) / 1e9;
    System.out.printf("wall time %.1fs%n", wall);
    System.out.printf("fuzz: %d runs, %d violations, %.1f simulated hours%n", runs, violations, hours);
    return violations == 0 ? 0 : 1;
  }

  /** Writes the failing history as a scenario file; a failure to write is reported, not fatal. */
  private void save(Fuzz.RunResult r) {
    if (r.history().isEmpty()) return;
    Path file = saveDir.resolve("fuzz-" + r.seed() + ".scn");
    try {
      Files.createDirectories(saveDir);
      Files.write(file, r.history(), StandardCharsets.UTF_8);
      System.out.println("  history: " + file + " (replay: bin/palisade sim run " + file + ")");
    } catch (IOException e) {
      System.out.println("  history not saved: " + file + ": " + e.getMessage());
    }
  }

  private static int usage(String msg) {
    System.err.println("palisade: " + msg);
    return 2;
  }
}
