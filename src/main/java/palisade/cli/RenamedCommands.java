package palisade.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * The old names of renamed commands, hidden: each answers with the new name in one line (exit 2) instead of
 * "unknown command", so a script or a habit finds its way.
 */
final class RenamedCommands {
  private RenamedCommands() {}

  /** Whatever follows the old name is accepted and ignored: the answer is the same. */
  abstract static class Renamed implements Callable<Integer> {
    @Unmatched
    List<String> rest;
    private final String message;

    Renamed(String message) {
      this.message = message;
    }

    @Override
    public Integer call() {
      throw new CliError(message);
    }
  }

  @Command(name = "agent", hidden = true)
  static final class Agent extends Renamed {
    Agent() {
      super("`palisade agent` is now `palisade daemon` (same options)");
    }
  }
}
