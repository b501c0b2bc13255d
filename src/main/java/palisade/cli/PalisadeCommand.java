package palisade.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `palisade` command line: one subcommand per job. */
@Command(name = "palisade", mixinStandardHelpOptions = true, version = "palisade 0.1.0",
    description = "High-availability manager for virtual-machine clusters",
    subcommands = {SimCommand.class, DemoCommand.class, BenchCommand.class, AgentCommand.class,
        ClusterCommand.class, StatusCommand.class, ResourceCommand.class, GroupCommand.class, NodeCommand.class,
        FenceCommand.class, EventsCommand.class})
public final class PalisadeCommand {
  private PalisadeCommand() {}

  /** Runs the command line; bad arguments give a one-line error and exit code 2. */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new PalisadeCommand());
    cl.setParameterExceptionHandler((ex, a) -> {
      System.err.println("palisade: " + ex.getMessage());
      return 2;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      Throwable t = ex instanceof CliError || ex instanceof IllegalArgumentException
          || ex instanceof IllegalStateException ? ex : ex;
      System.err.println("palisade: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
      if (t instanceof CliError e) return e.code;
      return t instanceof IllegalArgumentException || t instanceof IllegalStateException ? 2 : 1;
    });
    return cl.execute(args);
  }
}
