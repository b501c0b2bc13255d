package palisade.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import palisade.sim.scenario.Scenario;
import palisade.sim.scenario.ScenarioRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `palisade sim run|fuzz`: the deterministic simulator. */
@Command(name = "sim", description = "Deterministic cluster simulator", subcommands = {SimCommand.Run.class,
    FuzzCommand.class})
final class SimCommand {

  @Command(name = "run", description = "Run a scenario file: prints the event log, checks expectations and "
      + "invariants. Exit 0 all held, 1 a failure, 2 bad input.")
  static final class Run implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "scenario file (*.scn)")
    Path file;

    @Option(names = "--seed", description = "random seed (default: the file's `seed` line, else 0)")
    Long seedOption;

    @Option(names = "--quiet", description = "print only the verdict")
    boolean quiet;

    @Override
    public Integer call() {
      PrintStream out = System.out;
      Scenario scenario;
      try {
        scenario = Scenario.load(file);
      } catch (Scenario.ScenarioException e) {
        System.err.println(e.getMessage());
        return 2;
      }
      long seed = seedOption != null ? seedOption : scenario.seed() != null ? scenario.seed() : 0;
      ScenarioRunner.Result r = new ScenarioRunner(scenario, seed, quiet ? null : out::println).run();
      if (r.ok()) {
        out.println("PASS " + file + " (seed " + seed + ")");
        return 0;
      }
      out.println("FAIL " + r.failure());
      out.println("replay: bin/palisade sim run " + file + " --seed " + seed);
      return 1;
    }
  }
}
