package palisade.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `palisade` command line: one subcommand per job. */
@Command(name = "palisade", mixinStandardHelpOptions = true, version = "palisade 0.1.0",
    description = "High-availability manager for virtual-machine clusters",
    subcommands = {SimCommand.class, DemoCommand.class, BenchCommand.class, DaemonCommand.class,
        LabCommand.class, StatusCommand.class, ResourceCommand.class, GroupCommand.class, RuleCommand.class,
        NodeCommand.class,
        FenceCommand.class, EventsCommand.class, CredentialsCommand.class, ConfigCommand.class,
        NotifyCommand.class, RenamedCommands.Cluster.class, RenamedCommands.Agent.class})
public final class PalisadeCommand {
  private PalisadeCommand() {}

  /** `--help` (and `--version`) on every command, not only the top one. */
  private static void withHelp(CommandLine cl) {
    cl.getCommandSpec().mixinStandardHelpOptions(true);
    cl.getSubcommands().values().forEach(PalisadeCommand::withHelp);
  }

  /** Runs the command line; bad arguments give a one-line error and exit code 2. */
  public static int execute(String... args) {
    CommandLine cl = new CommandLine(new PalisadeCommand());
    withHelp(cl);
    cl.setParameterExceptionHandler((ex, a) -> {
      System.err.println("palisade: " + ex.getMessage());
      return 2;
    });
    // A refused command (wrong input, bad configuration: CliError, ConfigException and other
    // IllegalArgumentExceptions) gives one line and exit 2; anything else one line and exit 1.
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof org.apache.zookeeper.KeeperException.NoAuthException e) {
        System.err.println("palisade: the store refused: your credential's role may not do this (" + e.getPath()
            + "; a viewer reads only)");
        return 2;
      }
      System.err.println("palisade: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
      if (ex instanceof CliError e) return e.code;
      return ex instanceof IllegalArgumentException || ex instanceof IllegalStateException ? 2 : 1;
    });
    return cl.execute(args);
  }
}
